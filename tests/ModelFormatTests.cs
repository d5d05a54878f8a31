using System;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    public sealed class ModelFormatTests
    {
        private const string FixtureZip = "Resources/bnmlp-format-1.zip";
        private const string FixtureScores = "Resources/bnmlp-format-1.scores.bin";
        private const int FixtureRows = 50;

        /// <summary>
        /// Guards against format drift: a zip saved by format version 1 (0x00010001) must load and score as it did.
        /// To make the fixture again (only when the format version changes, keeping the old one):
        /// BNMLP_WRITE_FIXTURE=/path/to/tests/Resources dotnet test --filter CheckedInModel.
        /// </summary>
        [Fact]
        public void CheckedInModelStillLoadsAndScoresTheSame()
        {
            var ml = new MLContext(seed: 1);
            var test = ml.Data.LoadFromEnumerable(TestData.MnistTest.Take(FixtureRows));
            string writeTo = Environment.GetEnvironmentVariable("BNMLP_WRITE_FIXTURE");
            if (!string.IsNullOrEmpty(writeTo))
                WriteFixture(ml, writeTo, test);

            var model = ml.Model.Load(FixtureZip, out _);
            var actual = TestData.Scores(model.Transform(test)).SelectMany(row => row).ToArray();
            var expected = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(FixtureScores)).ToArray();
            Assert.Equal(FixtureRows * 10, expected.Length);
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.Equal(expected[i], actual[i], 1e-6f);
        }

        [Fact]
        public void AChangedWeightWithAValidZipChecksumIsRefused()
        {
            var ml = new MLContext(seed: 1);
            string copy = Path.Combine(Directory.CreateTempSubdirectory("bnmlp-damaged").FullName, "model.zip");
            File.Copy(FixtureZip, copy);
            using (var zip = ZipFile.Open(copy, ZipArchiveMode.Update))
            {
                var entry = zip.Entries.Single(e => ReadAll(e).AsSpan().IndexOf(Encoding.ASCII.GetBytes("BNMLPMCT")) >= 0);
                var bytes = ReadAll(entry);
                bytes[bytes.Length / 2] ^= 0x10; // inside the weights
                entry.Delete();
                using var stream = zip.CreateEntry(entry.FullName).Open();
                stream.Write(bytes);
            }
            var error = Assert.ThrowsAny<Exception>(() => ml.Model.Load(copy, out _));
            var damaged = Assert.IsType<InvalidDataException>(error.GetBaseException());
            Assert.Contains("SHA-256", damaged.Message);
        }

        [Fact]
        public void AClassifierWithInputBatchNormRoundTripsThroughTheZip()
        {
            var ml = new MLContext(seed: 2);
            var data = TestData.BlobView(ml, 300, 3, seed: 2);
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 3, BatchNormOnInput = true };
            var model = TestData.Pipeline(ml, options).Fit(data);
            string path = Path.Combine(Directory.CreateTempSubdirectory("bnmlp-input-bn").FullName, "model.zip");
            ml.Model.Save(model, data.Schema, path);
            var loaded = (TransformerChain<ITransformer>)ml.Model.Load(path, out _);

            var input = model.LastTransformer.Model.InputBatchNorm;
            var reloaded = Assert.IsType<BnMlpMulticlassTransformer>(loaded.Last()).Model.InputBatchNorm;
            Assert.Equal(input.Mean, reloaded.Mean);
            Assert.Equal(input.Variance, reloaded.Variance);
            Assert.Equal(input.Gamma, reloaded.Gamma);
            var expected = TestData.Scores(model.Transform(data)).SelectMany(row => row).ToArray();
            var actual = TestData.Scores(loaded.Transform(data)).SelectMany(row => row).ToArray();
            Assert.Equal(expected, actual);
            var rows = TestData.Blobs(300, 3, seed: 2);
            var scores = TestData.Scores(model.Transform(data));
            for (int i = 0; i < 50; i++)
            {
                var reference = ReferenceNetwork.Probabilities(model.LastTransformer.Model, rows[i].Features);
                for (int k = 0; k < 3; k++)
                    Assert.Equal(reference[k], scores[i][k], 1e-5);
            }
        }

        private static byte[] ReadAll(ZipArchiveEntry entry)
        {
            using var stream = entry.Open();
            var buffer = new MemoryStream();
            stream.CopyTo(buffer);
            return buffer.ToArray();
        }

        private static void WriteFixture(MLContext ml, string directory, IDataView test)
        {
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [16, 12], NumberOfEpochs = 2 };
            var train = ml.Data.LoadFromEnumerable(TestData.MnistTrain.Take(2000));
            var model = TestData.Pipeline(ml, options).Fit(train);
            ml.Model.Save(model, train.Schema, Path.Combine(directory, Path.GetFileName(FixtureZip)));
            var scores = TestData.Scores(model.Transform(test)).SelectMany(row => row).ToArray();
            File.WriteAllBytes(Path.Combine(directory, Path.GetFileName(FixtureScores)), MemoryMarshal.AsBytes(scores.AsSpan()).ToArray());
        }
    }
}
