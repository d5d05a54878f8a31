using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.BatchNorm.TestSupport;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>The piecewise-linear input encoding (<see cref="BnMlpOptionsBase.PiecewiseLinearBins"/>).</summary>
    public sealed class InputEncodingTests
    {
        /// <summary>Three classes by thresholds on feature 0 (a tree's rule), a 0/1 feature that shifts the thresholds,
        /// and a noise feature on another scale.</summary>
        private static Digit[] Thresholds(int rows, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, rows).Select(_ =>
            {
                float x = (float)(random.NextDouble() * 10);
                float flag = random.Next(2);
                float shifted = x + flag;
                return new Digit
                {
                    Label = shifted < 4 ? 0u : shifted < 7 ? 1u : 2u,
                    Features = [x, flag, (float)(1000 * TestData.Normal(random))],
                };
            }).ToArray();
        }

        private static IDataView View(MLContext ml, Digit[] rows) => ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(ml, 3));

        [Fact]
        public void EachValueIsHowFarTheFeatureFillsItsBin()
        {
            var encoding = new PiecewiseLinearEncoding([[0f, 1f, 3f], null]);
            Assert.Equal(2, encoding.FeatureCount);
            Assert.Equal(3, encoding.EncodedCount);
            float[] Encode(float x, float passed)
            {
                var encoded = new float[3];
                encoding.Encode([x, passed], encoded);
                return encoded;
            }
            Assert.Equal([0f, 0f, 7f], Encode(-1, 7));
            Assert.Equal([0.5f, 0f, -7f], Encode(0.5f, -7));
            Assert.Equal([1f, 0.5f, 1e30f], Encode(2, 1e30f));
            Assert.Equal([1f, 1f, 0f], Encode(5, 0));
        }

        [Theory]
        [InlineData(new[] { 0f, 1f })]
        [InlineData(new[] { 0f, 1f, 1f })]
        [InlineData(new[] { 0f, float.NaN, 2f })]
        [InlineData(new[] { 0f, 1f, float.PositiveInfinity })]
        public void EdgesThatMakeNoBinsAreRefusedNamingTheFeature(float[] edges)
        {
            var error = Assert.Throws<ArgumentException>(() => new PiecewiseLinearEncoding([null, edges]));
            Assert.Equal("edges", error.ParamName);
            Assert.Contains("feature 1", error.Message, StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public void SmallMulticlassDataIsEncodedByDefaultExceptItsZeroOneFeature()
        {
            var ml = new MLContext(seed: 1);
            var data = View(ml, Thresholds(600, seed: 1));
            var encoding = TestData.Pipeline(ml, new BnMlpTrainer.Options { HiddenLayerSizes = [16], NumberOfEpochs = 2 }).Fit(data).LastTransformer.Model.InputEncoding;
            Assert.NotNull(encoding);
            Assert.Equal(9, encoding.Edges[0].Count);
            Assert.Empty(encoding.Edges[1]);
            Assert.Equal(8 + 1 + 8, encoding.EncodedCount);

            var off = TestData.Pipeline(ml, new BnMlpTrainer.Options { HiddenLayerSizes = [16], NumberOfEpochs = 2, PiecewiseLinearBins = 0 }).Fit(data);
            Assert.Null(off.LastTransformer.Model.InputEncoding);
            Assert.Equal(3, off.LastTransformer.Model.Layers[0].InputCount);
        }

        [Fact]
        public void ZeroOneFeaturesAloneAreNotEncoded()
        {
            var ml = new MLContext(seed: 8);
            var rows = Thresholds(300, seed: 8).Select(r => new Digit { Label = r.Label, Features = [r.Features[0] > 5 ? 1 : 0, r.Features[1], r.Features[2] > 0 ? 1 : 0] }).ToArray();
            var model = TestData.Pipeline(ml, new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 1 }).Fit(View(ml, rows));
            Assert.Null(model.LastTransformer.Model.InputEncoding);
        }

        [Theory]
        [InlineData(4095, 3, 8)]
        [InlineData(4096, 3, 0)]
        [InlineData(511, 3, 16)]
        [InlineData(512, 3, 8)]
        [InlineData(100, 0, 16)]
        [InlineData(512, 0, 8)]
        [InlineData(100, 2, 0)]
        public void TheSizeRuleEncodesSmallMulticlassAndRegressionData(long rows, int classes, int bins) =>
            Assert.Equal(bins, BnMlpOptionsBase.Defaults.PiecewiseLinearBinsFor(rows, classes));

        [Theory]
        [InlineData(100, 8)]  // 16 bins would add 1,500 first-layer inputs, 8 bins add 700
        [InlineData(200, 0)]  // 8 bins would add 1,400
        public void TinyDataWithManyNumericColumnsFallsBackToFewerBinsThenToNone(int columns, int bins)
        {
            var ml = new MLContext(seed: 4);
            var random = new Random(4);
            var rows = Enumerable.Range(0, 300).Select(_ => new Digit
            {
                Label = (uint)random.Next(3),
                Features = Enumerable.Range(0, columns).Select(_ => (float)random.NextDouble()).ToArray(),
            }).ToArray();
            var data = ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(ml, columns));
            var encoding = TestData.Pipeline(ml, new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 1 }).Fit(data).LastTransformer.Model.InputEncoding;
            Assert.Equal(columns * bins, encoding?.EncodedCount ?? 0);
        }

        [Fact]
        public void TheBinaryTrainerDoesNotEncodeByDefault()
        {
            var ml = new MLContext(seed: 2);
            var model = ml.BinaryClassification.Trainers.BnMlp(new BnMlpBinaryTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 2 })
                .Fit(ml.Data.LoadFromEnumerable(ToyBinary.Generate(300, seed: 2)));
            Assert.Null(model.Model.InputEncoding);
        }

        [Fact]
        public void AnEncodedModelMatchesTheReferenceAndSavesAndLoadsBitIdentically()
        {
            var ml = new MLContext(seed: 3);
            var rows = Thresholds(500, seed: 3);
            var data = View(ml, rows);
            var model = TestData.Pipeline(ml, new BnMlpTrainer.Options { HiddenLayerSizes = [16, 8], NumberOfEpochs = 20, PiecewiseLinearBins = 8 }).Fit(data);
            var parameters = model.LastTransformer.Model;
            var expected = TestData.Scores(model.Transform(data));
            for (int i = 0; i < rows.Length; i++)
            {
                // The reference encodes, scales and clips in double, then runs the unfolded layers.
                var reference = ReferenceNetwork.Probabilities(parameters, rows[i].Features);
                for (int k = 0; k < 3; k++)
                    Assert.Equal(reference[k], expected[i][k], 1e-5);
            }
            var test = Thresholds(2000, seed: 4);
            double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(View(ml, test))).MicroAccuracy;
            // 91.5 % when written: the thresholds are learnt, not just the model's arithmetic.
            Assert.True(accuracy > 0.88, $"accuracy {accuracy:P1}");

            // One row alone (PredictionEngine, and BnMlpPredictor read from the zip) scores as inside a batch, bit for bit.
            var reloaded = TestData.AssertZipScoresBitIdentically(ml, model, rows).Model.InputEncoding;
            for (int j = 0; j < 3; j++)
                Assert.Equal(parameters.InputEncoding.Edges[j], reloaded.Edges[j]);
        }

        [Fact]
        public void AWarmStartKeepsTheEncodingOfTheModelItContinues()
        {
            var ml = new MLContext(seed: 5);
            var data = View(ml, Thresholds(300, seed: 5));
            var keyed = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(data).Transform(data);
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 2, EnsembleSize = 1 };
            var start = ml.MulticlassClassification.Trainers.BnMlp(options).Fit(keyed);
            var continued = ml.MulticlassClassification.Trainers.BnMlp(options).Fit(keyed, start.Model);
            Assert.Same(start.Model.InputEncoding, continued.Model.InputEncoding);
        }

        [Fact]
        public void StreamedRowsAreNotEncodedByTheRuleAndRefuseAnExplicitEncoding()
        {
            var ml = new MLContext(seed: 6);
            // 3,000 rows of 100 features: 1.2 MB, over a budget of 1 MB, and few enough rows for the rule to encode them.
            var data = TestData.BlobView(ml, 3000, classes: 4, seed: 6, features: 100);
            var rule = TestData.Pipeline(ml, new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 1, MemoryBudgetMegabytes = 1 }).Fit(data);
            Assert.Null(rule.LastTransformer.Model.InputEncoding);
            var error = Assert.Throws<InvalidOperationException>(() =>
                TestData.Pipeline(ml, new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 1, MemoryBudgetMegabytes = 1, PiecewiseLinearBins = 8 }).Fit(data));
            Assert.Contains("PiecewiseLinearBins = 8", error.Message);
            Assert.Contains("MemoryBudgetMegabytes", error.Message);
        }

        [Theory]
        [InlineData(int.MaxValue)]
        [InlineData(-1)]
        [InlineData(2)]
        public void ADamagedEdgeCountIsRefusedAsDamagedEvenWithAValidHash(int edgeCount)
        {
            var encoding = new PiecewiseLinearEncoding([[0f, 1f, 2f, 3f], null]);
            var model = new BnMlpModelParameters([new BnMlpLayer(4, 2, new float[8], new float[2], null, null)], inputEncoding: encoding);
            var stream = new MemoryStream();
            using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
                ModelParametersFormat.Write(writer, model);
            byte[] bytes = stream.ToArray();
            int length = (int)BitConverter.ToInt64(bytes, 0);
            // The block ends with the first feature's edge count, its four edges and the second feature's count of 0.
            BitConverter.GetBytes(edgeCount).CopyTo(bytes, sizeof(long) + length - 4 - 4 * sizeof(float) - 4);
            System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(sizeof(long), length)).CopyTo(bytes, sizeof(long) + length);

            using var reader = new BinaryReader(new MemoryStream(bytes));
            var error = Assert.Throws<InvalidDataException>(() => ModelParametersFormat.Read(reader, hasInputBatchNorm: true, hasInputScaling: true, hasInputEncoding: true));
            Assert.Contains("damaged", error.Message);
        }

        [Theory]
        [InlineData(-1)]
        [InlineData(1)]
        [InlineData(257)]
        public void ABinCountThatMakesNoEncodingIsRefusedByName(int bins)
        {
            var ml = new MLContext(seed: 7);
            var error = Assert.ThrowsAny<ArgumentException>(() => ml.MulticlassClassification.Trainers.BnMlp(new BnMlpTrainer.Options { PiecewiseLinearBins = bins }));
            Assert.Equal("PiecewiseLinearBins", error.ParamName);
        }

        [Fact]
        public void MoreRowsThanTheSampleAreSampledEvenlyFromFirstToLast()
        {
            // 70,000 rows whose one feature is the row number: the 65,536 samples are rows k * 70,000 / 65,536.
            using var features = TorchSharp.torch.arange(70000, TorchSharp.torch.ScalarType.Float32).reshape(70000, 1);
            var edges = FeatureEncoder.Fit(features, bins: 8).Edges[0];
            Assert.Equal(9, edges.Count);
            Assert.Equal(0f, edges[0]);
            Assert.Equal(69998f, edges[^1]);
            Assert.Equal(35000f, edges[4]);
        }
    }
}
