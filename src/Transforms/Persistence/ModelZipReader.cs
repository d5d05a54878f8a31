using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Reads the BN-MLP's parameters out of a model zip written by <c>mlContext.Model.Save</c> without ML.NET: a cold
    /// start then JIT-compiles none of ML.NET's repository, loader and schema code, which took most of the time from
    /// opening the zip to the first prediction. Parses the parts of ML.NET's model header it needs (its layout has been
    /// fixed since ML.NET 1.0) and the transformer's own block (<see cref="ModelParametersFormat"/>, checked by its hash).
    /// </summary>
    internal static class ModelZipReader
    {
        // ML.NET's ModelLoadContext.ModelStreamName and ModelHeader: "ML\0MODEL", 256 bytes, the model block right after it.
        private const string ModelStreamName = "Model.key";
        private const ulong HeaderSignature = 0x4C45444F4D004C4DUL;
        private const int HeaderSize = 0x100;
        private const int ModelOffsetAt = 0x10;
        private const int ModelSignatureAt = 0x40;
        private const int VersionWrittenAt = 0x48;
        private const int VersionReadableAt = 0x4C;

        /// <summary>Reads the first BN-MLP (multiclass or binary classifier, or regressor) in the zip.</summary>
        /// <param name="zip">The zip's bytes; read, not closed.</param>
        /// <param name="source">What to call the zip in an error.</param>
        /// <returns>The parameters, and the entry's format (<see cref="ModelEntryFormat.Classifier"/>, <see cref="ModelEntryFormat.Binary"/>
        /// or <see cref="ModelEntryFormat.Regressor"/>).</returns>
        /// <exception cref="InvalidDataException">The stream is not a zip, holds no BN-MLP, or its BN-MLP is damaged.</exception>
        public static (BnMlpModelParameters Model, ModelEntryFormat Format) Read(Stream zip, string source)
        {
            using var archive = new ZipArchive(zip, ZipArchiveMode.Read, leaveOpen: true);
            var header = new byte[HeaderSize];
            foreach (var entry in archive.Entries)
            {
                if (entry.Name != ModelStreamName)
                    continue;
                using var stream = entry.Open();
                if (stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false) < HeaderSize)
                    continue;
                var format = ModelEntryFormat.FromSignature(BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(ModelSignatureAt)));
                if (format == null)
                    continue;
                if (BinaryPrimitives.ReadUInt64LittleEndian(header) != HeaderSignature
                    || BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(ModelOffsetAt)) != HeaderSize)
                    throw new InvalidDataException($"The BN-MLP model in '{source}' is damaged: its entry '{entry.FullName}' has no valid ML.NET model header.");
                uint written = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(VersionWrittenAt));
                format.CheckVersion(written, BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(VersionReadableAt)));
                using var reader = new BinaryReader(stream);
                BnMlpModelParameters model;
                try
                {
                    reader.ReadInt32(); // The feature column name's id in the header's string table: the caller brings the features.
                    model = ModelParametersFormat.Read(reader, format.HasInputBatchNorm(written), format.HasInputScaling(written), format.HasInputEncoding(written));
                }
                catch (EndOfStreamException e)
                {
                    throw new InvalidDataException($"The BN-MLP model in '{source}' is damaged: its entry '{entry.FullName}' is truncated.", e);
                }
                format.CheckOutputCount(model);
                return (model, format);
            }
            throw new InvalidDataException($"'{source}' holds no BN-MLP model.");
        }
    }
}
