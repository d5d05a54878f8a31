using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;

namespace MLNet.BatchNorm.TestSupport
{
    /// <summary>Reads MNIST-style IDX files of unsigned bytes (images: magic 0x803, labels: 0x801), gzipped or plain.</summary>
    public static class IdxFile
    {
        /// <summary>Reads an IDX file of unsigned bytes and returns its dimensions and values.</summary>
        public static (int[] Dimensions, byte[] Values) Read(Stream stream, string name)
        {
            var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            var bytes = buffer.ToArray();
            if (bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b)
            {
                using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
                buffer = new MemoryStream();
                gzip.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            if (bytes.Length < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08)
                throw new InvalidDataException($"{name}: not an unsigned-byte IDX file.");
            int rank = bytes[3];
            var dimensions = new int[rank];
            long count = 1;
            for (int i = 0; i < rank; i++)
            {
                dimensions[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
                count *= dimensions[i];
            }
            int offset = 4 + 4 * rank;
            if (bytes.Length - offset != count)
                throw new InvalidDataException($"{name}: the header announces {count} values, the file has {bytes.Length - offset}.");
            return (dimensions, bytes.AsSpan(offset).ToArray());
        }
    }
}
