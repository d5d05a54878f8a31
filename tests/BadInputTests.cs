using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    public sealed class BadInputTests
    {
        private sealed class DoubleFeatures
        {
            [VectorType(3)]
            public double[] Features { get; set; }

            public uint Label { get; set; }
        }

        private sealed class FloatRow
        {
            [VectorType(3)]
            public float[] Features { get; set; }

            public uint Label { get; set; }
        }

        private sealed class VariableSize
        {
            public float[] Features { get; set; }

            public uint Label { get; set; }
        }

        private static readonly MLContext Ml = new(seed: 1);

        private static BnMlpTrainer Trainer(BnMlpTrainer.Options options = null) =>
            Ml.MulticlassClassification.Trainers.BnMlp(options ?? new BnMlpTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 1 });

        private static IDataView Keyed(IDataView data) => Ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);

        private static FloatRow[] Rows(int count) =>
            Enumerable.Range(0, count).Select(i => new FloatRow { Features = [i, i % 2, 1], Label = (uint)(i % 2) }).ToArray();

        [Fact]
        public void LabelThatIsNotAKeyIsRefusedWithAHint()
        {
            var error = Assert.ThrowsAny<ArgumentException>(() => Trainer().Fit(Ml.Data.LoadFromEnumerable(Rows(10))));
            Assert.Contains("'Label'", error.Message);
            Assert.Contains("MapValueToKey", error.Message);
        }

        [Fact]
        public void FeaturesThatAreNotSingleVectorsAreRefused()
        {
            var data = Keyed(Ml.Data.LoadFromEnumerable(new[] { new DoubleFeatures { Features = [1, 2, 3], Label = 1 }, new DoubleFeatures { Features = [3, 2, 1], Label = 2 } }));
            var error = Assert.ThrowsAny<ArgumentException>(() => Trainer().Fit(data));
            Assert.Contains("'Features'", error.Message);
            Assert.Contains("known-size vector of Single", error.Message);
            Assert.Contains("Double", error.Message);
        }

        [Fact]
        public void VariableSizeFeatureVectorsAreRefused()
        {
            var data = Keyed(Ml.Data.LoadFromEnumerable(new[] { new VariableSize { Features = [1, 2], Label = 1 }, new VariableSize { Features = [3, 2, 1], Label = 2 } }));
            var error = Assert.ThrowsAny<ArgumentException>(() => Trainer().Fit(data));
            Assert.Contains("known-size vector", error.Message);
        }

        [Theory]
        [InlineData("Label", "NoSuchLabel", "label")]
        [InlineData("Features", "NoSuchFeatures", "feature")]
        public void MissingColumnsAreNamed(string _, string missing, string role)
        {
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 1 };
            if (role == "label")
                options.LabelColumnName = missing;
            else
                options.FeatureColumnName = missing;
            var error = Assert.ThrowsAny<ArgumentException>(() => Trainer(options).Fit(Keyed(Ml.Data.LoadFromEnumerable(Rows(10)))));
            Assert.Contains($"{role} column '{missing}'", error.Message);
        }

        [Fact]
        public void EmptyTrainingDataIsRefused()
        {
            var keyed = Keyed(Ml.Data.LoadFromEnumerable(Rows(10)));
            var empty = Ml.Data.SkipRows(keyed, 1000);
            var error = Assert.Throws<InvalidOperationException>(() => Trainer().Fit(empty));
            Assert.Contains("empty", error.Message);
        }

        [Fact]
        public void OneClassIsRefused()
        {
            var rows = Rows(10);
            foreach (var row in rows)
                row.Label = 1;
            var data = Ml.Data.LoadFromEnumerable(rows);
            var keyed = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(Ml.Data.LoadFromEnumerable(Rows(10))).Transform(data);
            var error = Assert.Throws<InvalidOperationException>(() => Trainer().Fit(keyed));
            Assert.Contains("only one class", error.Message);
        }

        [Theory]
        [InlineData(float.NaN)]
        [InlineData(float.PositiveInfinity)]
        [InlineData(float.NegativeInfinity)]
        public void NonFiniteFeaturesNameTheRow(float bad)
        {
            var rows = Rows(10);
            rows[6].Features[2] = bad;
            var error = Assert.Throws<InvalidOperationException>(() => Trainer().Fit(Keyed(Ml.Data.LoadFromEnumerable(rows))));
            Assert.Contains("'Features', row 6, slot 2", error.Message);
        }

        [Fact]
        public void InvalidOptionsNameTheOption()
        {
            Assert.Equal("BatchSize", Assert.ThrowsAny<ArgumentException>(() => Trainer(new BnMlpTrainer.Options { BatchSize = 1 })).ParamName);
            Assert.Equal("LearningRate", Assert.ThrowsAny<ArgumentException>(() => Trainer(new BnMlpTrainer.Options { LearningRate = 0 })).ParamName);
            Assert.Equal("DropoutRate", Assert.ThrowsAny<ArgumentException>(() => Trainer(new BnMlpTrainer.Options { DropoutRate = 1 })).ParamName);
            Assert.Equal("BatchNormEpsilon", Assert.ThrowsAny<ArgumentException>(() => Trainer(new BnMlpTrainer.Options { BatchNormEpsilon = 0 })).ParamName);
            Assert.Equal("MovingAverageDecay", Assert.ThrowsAny<ArgumentException>(() => Trainer(new BnMlpTrainer.Options { MovingAverageDecay = 1 })).ParamName);
            Assert.Equal("HiddenLayerSizes", Assert.ThrowsAny<ArgumentException>(() => Trainer(new BnMlpTrainer.Options { HiddenLayerSizes = [10, 0] })).ParamName);
            Assert.Equal("NumberOfEpochs", Assert.ThrowsAny<ArgumentException>(() => Trainer(new BnMlpTrainer.Options { NumberOfEpochs = 0 })).ParamName);
        }

        [Fact]
        public void ScoringFeaturesOfTheWrongSizeFailsWhenThePipelineIsBuilt()
        {
            var model = Trainer().Fit(Keyed(Ml.Data.LoadFromEnumerable(Rows(20))));
            var wrong = Ml.Data.LoadFromEnumerable(new[] { new DoubleFeatures { Features = [1, 2, 3] } });
            var error = Assert.ThrowsAny<ArgumentException>(() => model.GetOutputSchema(wrong.Schema));
            Assert.Contains("'Features'", error.Message);
        }

        [Fact]
        public void ADivergingLearningRateFailsWithAClearMessage()
        {
            var options = new BnMlpTrainer.Options
            {
                HiddenLayerSizes = [32, 32], UseBatchNorm = false, Activation = BnMlpActivation.Tanh,
                Optimizer = BnMlpOptimizer.Sgd, LearningRate = 1e38f, NumberOfEpochs = 5,
            };
            var rows = Rows(200);
            var error = Assert.Throws<InvalidOperationException>(() => Trainer(options).Fit(Keyed(Ml.Data.LoadFromEnumerable(rows))));
            Assert.Contains("diverged", error.Message);
            Assert.Contains("epoch", error.Message);
            Assert.Contains("Lower the learning rate", error.Message);
        }
    }
}
