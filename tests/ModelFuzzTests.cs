using System;
using System.Buffers.Binary;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using Microsoft.ML;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>
    /// Damaged and foreign model files: every variant either loads and scores exactly as the original, or is refused
    /// with one of a few clear exception types, quickly and without huge allocations; both through ML.NET's
    /// <c>Model.Load</c> and through <see cref="BnMlpPredictor.Load(Stream)"/>, which reads the zip without ML.NET.
    /// </summary>
    public sealed class ModelFuzzTests
    {
        private const string FixtureZip = "Resources/bnmlp-format-1.zip";
        private const string ModelEntry = "TransformerChain/Transform_001/Model.key";
        private const int ScoredRows = 20;

        // ML.NET reports its own damaged parts with these; ours are InvalidDataException.
        private static readonly Type[] ClearErrors =
            [typeof(InvalidDataException), typeof(FormatException), typeof(InvalidOperationException), typeof(EndOfStreamException)];

        private static readonly MLContext Ml = new(seed: 1);
        private static readonly byte[] Original = File.ReadAllBytes(FixtureZip);
        private static readonly Lazy<float[]> OriginalScores = new(() => ScoresOf(Original));

        [Fact]
        public void TheFormatOneZipScoresTheSameThroughTheDirectReader() => Assert.Equal(OriginalScores.Value, DirectScoresOf(Original));

        [Fact]
        [Trait("Category", "Long")]
        public void BitFlipsInsideTheModelEntryAreRefusedOrHarmless()
        {
            // The zip's CRC is recomputed for every variant, so only the model's own checks can catch the change.
            byte[] entry = ReadEntry(Original, ModelEntry);
            var random = new Random(7);
            int refused = 0;
            for (int i = 0; i < 200; i++)
            {
                byte[] damaged = (byte[])entry.Clone();
                int offset = random.Next(damaged.Length);
                damaged[offset] ^= (byte)(1 << random.Next(8));
                if (LoadOutcome(ReplaceEntry(Original, ModelEntry, damaged), $"bit flip at entry offset {offset}"))
                    refused++;
            }
            // Nearly every byte of the entry is parameters under a hash; only a few header bytes are unchecked.
            Assert.True(refused >= 180, $"only {refused} of 200 damaged models were refused");
        }

        [Fact]
        public void RawBitFlipsAndTruncationsOfTheZipAreRefusedOrHarmless()
        {
            var random = new Random(11);
            for (int i = 0; i < 100; i++)
            {
                byte[] damaged = (byte[])Original.Clone();
                int offset = random.Next(damaged.Length);
                damaged[offset] ^= (byte)(1 << random.Next(8));
                LoadOutcome(damaged, $"raw bit flip at zip offset {offset}");
            }
            for (int i = 1; i <= 40; i++)
            {
                int length = Original.Length * i / 41;
                Assert.True(LoadOutcome(Original.AsSpan(0, length).ToArray(), $"zip truncated to {length} bytes"), $"truncated to {length} bytes but loaded");
            }
        }

        [Theory]
        [InlineData(1L << 31)]
        [InlineData(1L << 40)]
        [InlineData(-8L)]
        public void AHugeOrNegativeParameterBlockLengthIsRefusedBeforeAllocating(long length)
        {
            byte[] entry = ReadEntry(Original, ModelEntry);
            int block = FindParameterBlock(entry);
            BinaryPrimitives.WriteInt64LittleEndian(entry.AsSpan(block), length);
            long allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var (error, directError) = Refused(ReplaceEntry(Original, ModelEntry, entry));
            Assert.Contains("parameter block", error.Message);
            Assert.Contains("parameter block", directError.Message);
            Assert.True(GC.GetAllocatedBytesForCurrentThread() - allocatedBefore < 128L << 20, "loading both ways allocated more than 128 MB");
        }

        [Theory]
        [InlineData(1 << 30)]
        [InlineData(3)]
        public void AWeightBlockOfTheWrongLengthIsRefusedEvenWithAValidHash(int inputs)
        {
            // Rewrites the first layer's input count and recomputes the hash: only the length checks remain.
            byte[] entry = ReadEntry(Original, ModelEntry);
            int block = FindParameterBlock(entry);
            int firstLayer = block + sizeof(long) + sizeof(int);
            BinaryPrimitives.WriteInt32LittleEndian(entry.AsSpan(firstLayer), inputs);
            RehashParameterBlock(entry, block);
            var (error, directError) = Refused(ReplaceEntry(Original, ModelEntry, entry));
            Assert.Contains("damaged", error.Message);
            Assert.Contains("damaged", directError.Message);
        }

        [Fact]
        public void AModelFromAFutureFormatVersionIsRefused()
        {
            byte[] entry = ReadEntry(Original, ModelEntry);
            // ModelHeader: the version written at 0x48, the oldest version that can read it at 0x4C.
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(0x48), 0x00020001);
            BinaryPrimitives.WriteUInt32LittleEndian(entry.AsSpan(0x4C), 0x00020001);
            var (error, directError) = Refused(ReplaceEntry(Original, ModelEntry, entry));
            Assert.Contains("Update the package", error.Message);
            Assert.Contains("Update the package", directError.Message);
        }

        [Fact]
        public void AModelSignatureOfAnotherComponentIsRefused()
        {
            byte[] entry = ReadEntry(Original, ModelEntry);
            int at = entry.AsSpan().IndexOf(Encoding.ASCII.GetBytes("BNMLPMCT"));
            Encoding.ASCII.GetBytes("MULTICLS").CopyTo(entry, at);
            var (error, directError) = Refused(ReplaceEntry(Original, ModelEntry, entry));
            Assert.Contains("is not a BN-MLP model: its signature is 'MULTICLS'", error.Message);
            Assert.Contains("holds no BN-MLP model", directError.Message);
        }

        [Fact]
        public void AZipThatIsNotAnMLNetModelIsRefused()
        {
            var buffer = new MemoryStream();
            using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
            {
                using var writer = new StreamWriter(zip.CreateEntry("readme.txt").Open());
                writer.Write("not a model");
            }
            Refused(buffer.ToArray());
        }

        [Fact]
        public void AnotherComponentsEntryInPlaceOfTheModelIsRefused()
        {
            // The first pipeline step's model (MapValueToKey) copied over the BN-MLP's entry.
            byte[] foreign = ReadEntry(Original, "TransformerChain/Transform_000/Model.key");
            Refused(ReplaceEntry(Original, ModelEntry, foreign));
        }

        /// <summary>True when ML.NET refused the variant with a clear error; false when it loaded and scored as the
        /// original. The direct reader must also refuse it clearly or score as the original (it reads less of the zip, so
        /// it may load what ML.NET refuses).</summary>
        private static bool LoadOutcome(byte[] zip, string variant)
        {
            LoadOutcome(() => DirectScoresOf(zip), $"{variant}, direct");
            return LoadOutcome(() => ScoresOf(zip), variant);
        }

        private static bool LoadOutcome(Func<float[]> score, string variant)
        {
            float[] scores;
            try
            {
                scores = score();
            }
            catch (Exception e)
            {
                var cause = Cause(e);
                Assert.True(ClearErrors.Contains(cause.GetType()), $"{variant}: {cause.GetType().Name}: {cause.Message}");
                Assert.False(string.IsNullOrWhiteSpace(cause.Message), variant);
                return true;
            }
            Assert.True(OriginalScores.Value.SequenceEqual(scores), $"{variant}: loaded but scores differently");
            return false;
        }

        /// <summary>The clear errors ML.NET's loading and the direct reader refused the variant with.</summary>
        private static (Exception MLNet, Exception Direct) Refused(byte[] zip) => (Refused(() => ScoresOf(zip)), Refused(() => DirectScoresOf(zip)));

        private static Exception Refused(Func<float[]> score)
        {
            var error = Assert.ThrowsAny<Exception>(() => score());
            var cause = Cause(error);
            Assert.True(ClearErrors.Contains(cause.GetType()), $"{cause.GetType().Name}: {cause.Message}");
            return cause;
        }

        /// <summary>ML.NET wraps a component's load failure: the innermost clear error says what is wrong (our own
        /// <see cref="InvalidDataException"/> keeps the low-level exception it explains as its inner exception).</summary>
        private static Exception Cause(Exception e)
        {
            Exception cause = e;
            for (var inner = e; inner != null; inner = inner.InnerException)
            {
                if (ClearErrors.Contains(inner.GetType()))
                    cause = inner;
                if (inner is InvalidDataException)
                    break;
            }
            return cause;
        }

        private static float[] ScoresOf(byte[] zip)
        {
            var model = Ml.Model.Load(new MemoryStream(zip, writable: false), out _);
            var rows = Ml.Data.LoadFromEnumerable(TestData.MnistTest.Take(ScoredRows));
            return TestData.Scores(model.Transform(rows)).SelectMany(row => row).ToArray();
        }

        private static float[] DirectScoresOf(byte[] zip)
        {
            var predictor = BnMlpPredictor.Load(new MemoryStream(zip, writable: false));
            var scores = new float[ScoredRows * predictor.OutputCount];
            for (int i = 0; i < ScoredRows; i++)
                predictor.Predict(TestData.MnistTest[i].Features, scores.AsSpan(i * predictor.OutputCount, predictor.OutputCount));
            return scores;
        }

        private static byte[] ReadEntry(byte[] zip, string name)
        {
            using var archive = new ZipArchive(new MemoryStream(zip, writable: false), ZipArchiveMode.Read);
            using var stream = archive.GetEntry(name).Open();
            var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }

        private static byte[] ReplaceEntry(byte[] zip, string name, byte[] content)
        {
            var buffer = new MemoryStream();
            buffer.Write(zip);
            using (var archive = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
            {
                archive.GetEntry(name).Delete();
                using var stream = archive.CreateEntry(name).Open();
                stream.Write(content);
            }
            return buffer.ToArray();
        }

        /// <summary>Offset of the parameter block's length prefix: a length L followed by L bytes and their SHA-256.</summary>
        private static int FindParameterBlock(byte[] entry)
        {
            for (int offset = 0; offset + sizeof(long) <= entry.Length; offset++)
            {
                long length = BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(offset));
                if (length <= 0 || offset + sizeof(long) + length + 32 > entry.Length)
                    continue;
                var block = entry.AsSpan(offset + sizeof(long), (int)length);
                if (SHA256.HashData(block).AsSpan().SequenceEqual(entry.AsSpan(offset + sizeof(long) + (int)length, 32)))
                    return offset;
            }
            throw new InvalidOperationException("No parameter block in the model entry.");
        }

        private static void RehashParameterBlock(byte[] entry, int blockOffset)
        {
            int length = (int)BinaryPrimitives.ReadInt64LittleEndian(entry.AsSpan(blockOffset));
            var block = entry.AsSpan(blockOffset + sizeof(long), length);
            SHA256.HashData(block).CopyTo(entry, blockOffset + sizeof(long) + length);
        }
    }
}
