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

        private sealed class ScalarFeature
        {
            public float Features { get; set; }

            public uint Label { get; set; }
        }

        private sealed class WeightedRow
        {
            [VectorType(3)]
            public float[] Features { get; set; }

            public uint Label { get; set; }

            public float Weight { get; set; }
        }

        private sealed class WideRow
        {
            [VectorType(5)]
            public float[] Features { get; set; }
        }

        private static readonly MLContext Ml = new(seed: 1);

        private static BnMlpTrainer Trainer(BnMlpTrainer.Options options = null) =>
            Ml.MulticlassClassification.Trainers.BnMlp(options ?? new BnMlpTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 1 });

        private static IDataView Keyed(IDataView data) => Ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);

        private static FloatRow[] Rows(int count) =>
            Enumerable.Range(0, count).Select(i => new FloatRow { Features = [i, i % 2, 1], Label = (uint)(i % 2) }).ToArray();

        [Fact]
        public void LabelThatIsNotAKeyIsRefusedWithAHintByFitAndGetOutputSchemaAlike()
        {
            var data = Ml.Data.LoadFromEnumerable(Rows(10));
            const string Expected = "Schema mismatch for label column 'Label': expected a key type (convert the label with mlContext.Transforms.Conversion.MapValueToKey), got UInt32";
            var fit = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer().Fit(data));
            Assert.StartsWith(Expected, fit.Message);
            Assert.Equal("data", fit.ParamName);
            var shape = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer().GetOutputSchema(SchemaShape.Create(data.Schema)));
            Assert.StartsWith(Expected, shape.Message);
            Assert.Equal("inputSchema", shape.ParamName);
        }

        [Fact]
        public void FeaturesThatAreNotSingleVectorsAreRefusedByFitAndGetOutputSchemaAlike()
        {
            var data = Keyed(Ml.Data.LoadFromEnumerable(new[] { new DoubleFeatures { Features = [1, 2, 3], Label = 1 }, new DoubleFeatures { Features = [3, 2, 1], Label = 2 } }));
            const string Expected = "Schema mismatch for feature column 'Features': expected a known-size vector of Single, got Vector<Double";
            Assert.StartsWith(Expected, Assert.Throws<ArgumentOutOfRangeException>(() => Trainer().Fit(data)).Message);
            Assert.StartsWith(Expected, Assert.Throws<ArgumentOutOfRangeException>(() => Trainer().GetOutputSchema(SchemaShape.Create(data.Schema))).Message);
        }

        [Fact]
        public void VariableSizeFeatureVectorsAreRefused()
        {
            var data = Keyed(Ml.Data.LoadFromEnumerable(new[] { new VariableSize { Features = [1, 2], Label = 1 }, new VariableSize { Features = [3, 2, 1], Label = 2 } }));
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer().Fit(data));
            Assert.StartsWith("Schema mismatch for feature column 'Features': expected a known-size vector of Single, got Vector<Single>", error.Message);
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
            var data = Keyed(Ml.Data.LoadFromEnumerable(Rows(10)));
            var fit = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(options).Fit(data));
            Assert.StartsWith($"Could not find {role} column '{missing}'", fit.Message);
            var shape = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer(options).GetOutputSchema(SchemaShape.Create(data.Schema)));
            Assert.StartsWith($"Could not find {role} column '{missing}'", shape.Message);
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
        public void AScalarFeatureColumnIsRefused()
        {
            var data = Keyed(Ml.Data.LoadFromEnumerable(new[] { new ScalarFeature { Features = 1, Label = 1 }, new ScalarFeature { Features = 2, Label = 2 } }));
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => Trainer().Fit(data));
            Assert.StartsWith("Schema mismatch for feature column 'Features': expected a known-size vector of Single, got Single", error.Message);
        }

        [Theory]
        [InlineData(-1f)]
        [InlineData(float.NaN)]
        [InlineData(float.PositiveInfinity)]
        public void BadExampleWeightsNameTheColumnAndRow(float bad)
        {
            var rows = Rows(10).Select(r => new WeightedRow { Features = r.Features, Label = r.Label, Weight = 1 }).ToArray();
            rows[4].Weight = bad;
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 1, ExampleWeightColumnName = "Weight" };
            var error = Assert.Throws<InvalidOperationException>(() => Trainer(options).Fit(Keyed(Ml.Data.LoadFromEnumerable(rows))));
            Assert.Contains("Example weight column 'Weight', row 4", error.Message);
        }

        [Fact]
        public void AKeyWithClassesAbsentFromTheDataTrainsAndScoresEveryKey()
        {
            // The key has 5 values (from the full label set) but training rows use only 3 of them. Its own seeded context
            // and 180 steps: the absent classes' scores fall whatever ran before on the shared context.
            var ml = new MLContext(seed: 6);
            var all = Enumerable.Range(0, 5).Select(c => new FloatRow { Features = [c, 0, 1], Label = (uint)c }).ToArray();
            var keys = ml.Transforms.Conversion.MapValueToKey("Label").Fit(ml.Data.LoadFromEnumerable(all));
            var rows = Enumerable.Range(0, 60).Select(i => new FloatRow { Features = [i % 3, i % 2, 1], Label = (uint)(i % 3) }).ToArray();
            var data = keys.Transform(ml.Data.LoadFromEnumerable(rows));
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 30, BatchSize = 10, LearningRate = 0.01f };
            var model = ml.MulticlassClassification.Trainers.BnMlp(options).Fit(data);
            var scores = TestData.Scores(model.Transform(data));
            Assert.All(scores, score => Assert.Equal(5, score.Length));
            Assert.All(scores, score => Assert.True(score[3] + score[4] < 0.5f, "absent classes should get low scores"));
        }

        [Fact]
        public void FewerRowsThanOneBatchTrainOnOneBatch()
        {
            var model = Trainer(new BnMlpTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 3, BatchSize = 64 }).Fit(Keyed(Ml.Data.LoadFromEnumerable(Rows(10))));
            Assert.All(TestData.Scores(model.Transform(Keyed(Ml.Data.LoadFromEnumerable(Rows(10))))), AreProbabilities);
        }

        [Fact]
        public void ConstantFeaturesGiveFiniteProbabilities()
        {
            // Zero variance everywhere: every BN unit sees a constant, normalized by epsilon alone.
            var rows = Rows(40);
            foreach (var row in rows)
                row.Features = [1, 1, 1];
            var data = Keyed(Ml.Data.LoadFromEnumerable(rows));
            var model = Trainer(new BnMlpTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 2 }).Fit(data);
            Assert.All(TestData.Scores(model.Transform(data)), AreProbabilities);
        }

        public static TheoryData<string, Action<BnMlpTrainer.Options>> InvalidOptions => new()
        {
            { "HiddenLayerSizes", o => o.HiddenLayerSizes = [-3] },
            { "HiddenLayerSizes", o => o.HiddenLayerSizes = null },
            { "BatchSize", o => o.BatchSize = 0 },
            { "BatchSize", o => o.BatchSize = -5 },
            { "LearningRate", o => o.LearningRate = -1 },
            { "LearningRate", o => o.LearningRate = float.NaN },
            { "LearningRate", o => o.LearningRate = float.PositiveInfinity },
            { "DropoutRate", o => o.DropoutRate = -0.1f },
            { "DropoutRate", o => o.DropoutRate = 1.5f },
            { "BatchNormEpsilon", o => o.BatchNormEpsilon = -1 },
            { "BatchNormEpsilon", o => o.BatchNormEpsilon = float.NaN },
            { "MovingAverageDecay", o => o.MovingAverageDecay = -0.1f },
            { "Momentum", o => o.Momentum = 1 },
            { "WeightDecay", o => o.WeightDecay = -1 },
            { "InitialWeightStandardDeviation", o => o.InitialWeightStandardDeviation = 0 },
            { "NumberOfEpochs", o => o.NumberOfEpochs = -2 },
            { "NumberOfThreads", o => o.NumberOfThreads = 0 },
            { "Activation", o => o.Activation = (BnMlpActivation)42 },
            { "MatrixPrecision", o => o.MatrixPrecision = (BnMlpMatrixPrecision)2 },
            { "LabelColumnName", o => o.LabelColumnName = " " },
            { "MemoryBudgetMegabytes", o => o.MemoryBudgetMegabytes = 0 },
            { "EnsembleSize", o => o.EnsembleSize = 0 },
            { "EnsembleSize", o => { o.EnsembleSize = 2; o.BatchNormOnInput = true; } },
            { "InitialBias", o => o.InitialBias = float.PositiveInfinity },
        };

        [Theory]
        [MemberData(nameof(InvalidOptions))]
        public void EachInvalidOptionIsNamed(string option, Action<BnMlpTrainer.Options> makeInvalid)
        {
            var options = new BnMlpTrainer.Options();
            makeInvalid(options);
            Assert.Equal(option, Assert.ThrowsAny<ArgumentException>(() => Trainer(options)).ParamName);
        }

        [Fact]
        public void ABatchOfOneIsAllowedWithoutBatchNormalization()
        {
            // One row per step: 40 steps per epoch on well-separated blobs, enough to learn them.
            var ml = new MLContext(seed: 3);
            var data = ml.Transforms.Conversion.MapValueToKey("Label").Fit(TestData.BlobView(ml, rows: 40, classes: 2, seed: 3)).Transform(TestData.BlobView(ml, rows: 40, classes: 2, seed: 3));
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 5, BatchSize = 1, UseBatchNorm = false, LearningRate = 0.01f };
            var model = ml.MulticlassClassification.Trainers.BnMlp(options).Fit(data);
            Assert.All(model.Model.Layers, layer => Assert.Null(layer.BatchNorm));
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
            Assert.True(metrics.MicroAccuracy >= 0.95, $"training accuracy {metrics.MicroAccuracy:P1} after 200 one-row steps");
        }

        [Fact]
        public void ScoringFeaturesOfAnotherVectorSizeFailsWhenThePipelineIsBuilt()
        {
            var model = Trainer().Fit(Keyed(Ml.Data.LoadFromEnumerable(Rows(20))));
            var wide = Ml.Data.LoadFromEnumerable(new[] { new WideRow { Features = [1, 2, 3, 4, 5] } });
            const string Expected = "Schema mismatch for feature column 'Features': expected a vector of 3 Single values, got Vector<Single, 5>";
            Assert.StartsWith(Expected, Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(wide)).Message);
            Assert.StartsWith(Expected, Assert.Throws<ArgumentOutOfRangeException>(() => model.GetOutputSchema(wide.Schema)).Message);
            var missing = Ml.Data.LoadFromEnumerable(new[] { new ScalarFeature { Features = 1 } });
            Assert.StartsWith("Could not find feature column 'Features'",
                Assert.Throws<ArgumentOutOfRangeException>(() => model.GetOutputSchema(Ml.Transforms.DropColumns("Features").Fit(missing).Transform(missing).Schema)).Message);
        }

        private static void AreProbabilities(float[] score)
        {
            Assert.All(score, p => Assert.True(float.IsFinite(p) && p >= 0 && p <= 1, $"score {p}"));
            Assert.InRange(score.Sum(), 0.999f, 1.001f);
        }

        [Fact]
        public void ScoringFeaturesOfTheWrongTypeFailsWhenThePipelineIsBuilt()
        {
            var model = Trainer().Fit(Keyed(Ml.Data.LoadFromEnumerable(Rows(20))));
            var wrong = Ml.Data.LoadFromEnumerable(new[] { new DoubleFeatures { Features = [1, 2, 3] } });
            const string Expected = "Schema mismatch for feature column 'Features': expected a vector of 3 Single values, got Vector<Double, 3>";
            Assert.StartsWith(Expected, Assert.Throws<ArgumentOutOfRangeException>(() => model.GetOutputSchema(wrong.Schema)).Message);
            Assert.StartsWith(Expected, Assert.Throws<ArgumentOutOfRangeException>(() => model.Transform(wrong)).Message);
        }

        [Fact]
        public void ADivergingLearningRateFailsWithAClearMessage()
        {
            var options = new BnMlpTrainer.Options
            {
                HiddenLayerSizes = [32, 32], UseBatchNorm = false, Activation = BnMlpActivation.Tanh,
                Optimizer = BnMlpOptimizer.Sgd, LearningRate = 1e38f, NumberOfEpochs = 5, BatchSize = 64,
            };
            var rows = Rows(200);
            var error = Assert.Throws<TrainingDivergedException>(() => Trainer(options).Fit(Keyed(Ml.Data.LoadFromEnumerable(rows))));
            Assert.IsAssignableFrom<InvalidOperationException>(error); // what callers caught before the type existed
            Assert.False(double.IsFinite(error.Loss), $"loss {error.Loss}");
            Assert.InRange(error.Epoch, 1, options.NumberOfEpochs.Value);
            Assert.InRange(error.Batch, 1, 4); // 200 rows in batches of 64
            Assert.Contains($"epoch {error.Epoch}, batch {error.Batch} of 4", error.Message);
            Assert.Contains("Lower the learning rate", error.Message);
        }
    }
}
