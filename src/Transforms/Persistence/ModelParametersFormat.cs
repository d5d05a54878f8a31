using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Binary form of <see cref="BnMlpModelParameters"/> inside the model zip: a length-prefixed block (the layers, then
    /// the input batch normalization, which format 1 did not have, then the input scaling, which the classifier's formats
    /// 1 and 2 and the regressor's format 1 did not have, then the input encoding, which formats before
    /// <see cref="ModelEntryFormat.FirstVersionWithInputEncoding"/> did not have) followed by its SHA-256, so a changed byte is refused even where the zip's CRC was recomputed. Every length read from the file is
    /// checked against the bytes actually present before anything is allocated.
    /// </summary>
    internal static class ModelParametersFormat
    {
        private const int MaxLayers = 1024;
        private const byte NoActivation = 255;
        private const byte HasBiasFlag = 1;
        private const byte HasBatchNormFlag = 2;
        private const int HashSize = 32;

        /// <summary>Writes the parameter block and its hash.</summary>
        public static void Write(BinaryWriter writer, BnMlpModelParameters model)
        {
            var block = new MemoryStream();
            using (var blockWriter = new BinaryWriter(block, System.Text.Encoding.UTF8, leaveOpen: true))
                WriteModel(blockWriter, model);
            byte[] bytes = block.ToArray();
            writer.Write((long)bytes.Length);
            writer.Write(bytes);
            writer.Write(SHA256.HashData(bytes));
        }

        /// <summary>Reads and verifies what <see cref="Write"/> wrote.</summary>
        /// <param name="reader">The model entry's reader.</param>
        /// <param name="hasInputBatchNorm">False for format 1, written before models could normalize their input.</param>
        /// <param name="hasInputScaling">False for formats written before models scaled their input.</param>
        /// <param name="hasInputEncoding">False for formats written before models encoded their input.</param>
        /// <exception cref="InvalidDataException">The block is truncated, damaged or inconsistent.</exception>
        public static BnMlpModelParameters Read(BinaryReader reader, bool hasInputBatchNorm, bool hasInputScaling, bool hasInputEncoding)
        {
            long length = reader.ReadInt64();
            if (length <= 0 || length > int.MaxValue)
                throw Damaged($"the parameter block claims {length} bytes");
            byte[] bytes = ReadUpTo(reader.BaseStream, (int)length);
            byte[] hash = reader.ReadBytes(HashSize);
            if (hash.Length != HashSize)
                throw Damaged("the parameter hash is truncated");
            if (!CryptographicOperations.FixedTimeEquals(hash, SHA256.HashData(bytes)))
                throw Damaged("the parameters do not match their SHA-256 hash (the file was changed after it was saved)");
            using var blockReader = new BinaryReader(new MemoryStream(bytes, writable: false));
            try
            {
                var model = ReadModel(blockReader, hasInputBatchNorm, hasInputScaling, hasInputEncoding);
                if (blockReader.BaseStream.Position != bytes.Length)
                    throw Damaged("the parameter block has trailing bytes");
                return model;
            }
            catch (Exception e) when (e is EndOfStreamException or ArgumentException)
            {
                throw Damaged(e.Message, e);
            }
        }

        private static void WriteModel(BinaryWriter writer, BnMlpModelParameters model)
        {
            writer.Write(model.Layers.Count);
            foreach (var layer in model.Layers)
            {
                writer.Write(layer.InputCount);
                writer.Write(layer.OutputCount);
                writer.Write(layer.Activation is { } a ? (byte)a : NoActivation);
                byte flags = (byte)((layer.Bias != null ? HasBiasFlag : 0) | (layer.BatchNorm != null ? HasBatchNormFlag : 0));
                writer.Write(flags);
                WriteFloats(writer, layer.WeightSpan);
                if (layer.Bias != null)
                    WriteFloats(writer, layer.BiasSpan);
                if (layer.BatchNorm is { } bn)
                    WriteBatchNorm(writer, bn);
            }
            writer.Write(model.InputBatchNorm != null);
            if (model.InputBatchNorm is { } input)
                WriteBatchNorm(writer, input);
            writer.Write(model.InputScaling != null);
            if (model.InputScaling is { } scaling)
            {
                writer.Write(scaling.SmoothClip);
                WriteFloats(writer, scaling.ShiftSpan);
                WriteFloats(writer, scaling.ScaleSpan);
            }
            writer.Write(model.InputEncoding != null);
            if (model.InputEncoding is { } encoding)
            {
                writer.Write(encoding.FeatureCount);
                for (int j = 0; j < encoding.FeatureCount; j++)
                {
                    writer.Write(encoding.EdgesOf(j).Length);
                    WriteFloats(writer, encoding.EdgesOf(j));
                }
            }
        }

        private static void WriteBatchNorm(BinaryWriter writer, BatchNormParameters bn)
        {
            writer.Write(bn.Epsilon);
            WriteFloats(writer, bn.GammaSpan);
            WriteFloats(writer, bn.BetaSpan);
            WriteFloats(writer, bn.MeanSpan);
            WriteFloats(writer, bn.VarianceSpan);
        }

        private static BnMlpModelParameters ReadModel(BinaryReader reader, bool hasInputBatchNorm, bool hasInputScaling, bool hasInputEncoding)
        {
            int count = reader.ReadInt32();
            if (count < 1 || count > MaxLayers)
                throw Damaged($"{count} layers (expected 1 to {MaxLayers})");
            var layers = new List<BnMlpLayer>(count);
            for (int i = 0; i < count; i++)
            {
                int inputs = reader.ReadInt32();
                int outputs = reader.ReadInt32();
                byte activationCode = reader.ReadByte();
                byte flags = reader.ReadByte();
                if (inputs < 1 || outputs < 1 || (flags & ~(HasBiasFlag | HasBatchNormFlag)) != 0)
                    throw Damaged($"layer {i} has {inputs} inputs, {outputs} units, flags {flags}");
                BnMlpActivation? activation = activationCode == NoActivation ? null : (BnMlpActivation)activationCode;
                float[] weights = ReadFloats(reader, (long)inputs * outputs);
                float[] bias = (flags & HasBiasFlag) != 0 ? ReadFloats(reader, outputs) : null;
                var batchNorm = (flags & HasBatchNormFlag) != 0 ? ReadBatchNorm(reader, outputs) : null;
                layers.Add(new BnMlpLayer(inputs, outputs, weights, bias, batchNorm, activation));
            }
            int features = layers[0].InputCount;
            var inputBatchNorm = hasInputBatchNorm && reader.ReadBoolean() ? ReadBatchNorm(reader, features) : null;
            InputScalingParameters inputScaling = null;
            if (hasInputScaling && reader.ReadBoolean())
            {
                bool smoothClip = reader.ReadBoolean();
                inputScaling = new InputScalingParameters(shift: ReadFloats(reader, features), scale: ReadFloats(reader, features), smoothClip);
            }
            var inputEncoding = hasInputEncoding && reader.ReadBoolean() ? ReadEncoding(reader, features) : null;
            return new BnMlpModelParameters(layers, inputBatchNorm, inputScaling, inputEncoding);
        }

        /// <summary>Reads an encoding into <paramref name="encodedCount"/> values: each feature writes at least one.</summary>
        private static PiecewiseLinearEncoding ReadEncoding(BinaryReader reader, int encodedCount)
        {
            int features = reader.ReadInt32();
            if (features < 1 || features > encodedCount)
                throw Damaged($"an input encoding of {features} features into {encodedCount} values");
            var edges = new float[features][];
            for (int j = 0; j < features; j++)
            {
                int count = reader.ReadInt32();
                if (count < 0 || count > encodedCount + 1)
                    throw Damaged($"feature {j} of the input encoding has {count} bin edges");
                edges[j] = ReadFloats(reader, count);
            }
            return new PiecewiseLinearEncoding(edges);
        }

        private static BatchNormParameters ReadBatchNorm(BinaryReader reader, int units)
        {
            float epsilon = reader.ReadSingle();
            return new BatchNormParameters(
                gamma: ReadFloats(reader, units), beta: ReadFloats(reader, units),
                mean: ReadFloats(reader, units), variance: ReadFloats(reader, units), epsilon);
        }

        private static void WriteFloats(BinaryWriter writer, ReadOnlySpan<float> values) =>
            writer.Write(MemoryMarshal.AsBytes(values));

        private static float[] ReadFloats(BinaryReader reader, long count)
        {
            var stream = reader.BaseStream;
            if (count * sizeof(float) > stream.Length - stream.Position)
                throw Damaged($"a block of {count} values is longer than the {stream.Length - stream.Position} bytes left");
            var values = new float[count];
            stream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
            return values;
        }

        /// <summary>Reads <paramref name="length"/> bytes, growing the buffer only as data arrives, so a damaged length
        /// cannot make it allocate more than the stream holds.</summary>
        private static byte[] ReadUpTo(Stream stream, int length)
        {
            var buffer = new MemoryStream();
            var chunk = new byte[Math.Min(length, 1 << 20)];
            while (buffer.Length < length)
            {
                int read = stream.Read(chunk, 0, (int)Math.Min(chunk.Length, length - buffer.Length));
                if (read == 0)
                    throw Damaged($"the parameter block is truncated ({buffer.Length} of {length} bytes)");
                buffer.Write(chunk, 0, read);
            }
            return buffer.ToArray();
        }

        private static InvalidDataException Damaged(string what, Exception inner = null) =>
            new($"The BN-MLP model is damaged: {what}.", inner);
    }
}
