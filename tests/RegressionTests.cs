using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.BatchNorm.TestSupport;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    public sealed class RegressionTests
    {
        private const int Features = 5;

        private static BnMlpRegressionTrainer.Options CurveOptions(int epochs = 60) => new()
        {
            HiddenLayerSizes = [30, 30], BatchNormOnInput = true, LearningRate = 0.01f, BatchSize = 64, NumberOfEpochs = epochs, DropoutRate = 0, NumberOfThreads = 1,
        };

        [Fact]
        public void FitsTheToyCurveAndEvaluatesAsAnMLNetRegressor()
        {
            var ml = new MLContext(seed: 1);
            var train = ml.Data.LoadFromEnumerable(ToyCurve.Generate(500, noise: 2, seed: 1));
            var test = ml.Data.LoadFromEnumerable(ToyCurve.Generate(200, noise: 2, seed: 2));
            var model = ml.Regression.Trainers.BnMlp(CurveOptions()).Fit(train);
            var metrics = ml.Regression.Evaluate(model.Transform(test));
            Assert.True(metrics.RSquared > 0.97, $"R² {metrics.RSquared:F4}");

            var score = model.Transform(test).Schema["Score"];
            Assert.Equal(NumberDataViewType.Single, score.Type);
            ReadOnlyMemory<char> kind = default;
            score.Annotations.GetValue(AnnotationUtils.Kinds.ScoreColumnKind, ref kind);
            Assert.Equal("Regression", kind.ToString());
            Assert.NotNull(model.Model.InputBatchNorm);
            Assert.Equal(1, model.Model.OutputCount);
        }

        [Fact]
        public void ScoresMatchTheUnfoldedReferenceWithInputBatchNorm()
        {
            var ml = new MLContext(seed: 3);
            var rows = LinearRows(400, seed: 3);
            var options = new BnMlpRegressionTrainer.Options { HiddenLayerSizes = [12, 6], BatchNormOnInput = true, NumberOfEpochs = 5 };
            var model = ml.Regression.Trainers.BnMlp(options).Fit(View(ml, rows));
            var scores = ScoresOf(model.Transform(View(ml, rows)));
            for (int i = 0; i < rows.Length; i++)
            {
                double expected = ReferenceForward.PreActivations(model.Model, rows[i].Features)[^1][0];
                Assert.Equal(expected, scores[i], Math.Max(1e-4, Math.Abs(expected) * 1e-5));
            }
        }

        [Fact]
        public void SavedModelAndPredictionEngineGiveTheSameScoresBitForBit()
        {
            var ml = new MLContext(seed: 4);
            var curve = ToyCurve.Generate(300, noise: 2, seed: 4);
            var data = ml.Data.LoadFromEnumerable(curve);
            var model = ml.Regression.Trainers.BnMlp(CurveOptions(epochs: 5)).Fit(data);
            string path = Path.Combine(Directory.CreateTempSubdirectory("bnmlp-regression").FullName, "model.zip");
            ml.Model.Save(model, data.Schema, path);
            var loaded = ml.Model.Load(path, out _);

            var expected = ScoresOf(model.Transform(data));
            var reloaded = ScoresOf(loaded.Transform(data));
            var engine = ml.Model.CreatePredictionEngine<CurvePoint, CurvePrediction>(loaded);
            for (int i = 0; i < curve.Length; i++)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(reloaded[i]));
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(engine.Predict(curve[i]).Score));
            }
            Assert.IsType<BnMlpRegressionTransformer>(loaded);
            File.Delete(path);
        }

        [Fact]
        [Trait("Category", "Long")]
        public void HuberLossResistsOutliersThatPullSquaredError()
        {
            var ml = new MLContext(seed: 5);
            // A tenth of the training labels are shifted by +60: squared error bends towards them, Huber much less.
            var rows = LinearRows(1000, seed: 5);
            var dirty = rows.Select((r, i) => new LinearRow { Features = r.Features, Label = i % 10 == 0 ? r.Label + 60 : r.Label }).ToArray();
            var clean = ml.Data.LoadFromEnumerable(LinearRows(500, seed: 6), Schema(ml));
            double MeanAbsoluteError(BnMlpRegressionLoss loss)
            {
                var options = new BnMlpRegressionTrainer.Options { HiddenLayerSizes = [16], NumberOfEpochs = 30, LearningRate = 0.01f, Loss = loss, HuberDelta = 1 };
                var model = ml.Regression.Trainers.BnMlp(options).Fit(View(ml, dirty));
                return ml.Regression.Evaluate(model.Transform(clean)).MeanAbsoluteError;
            }
            double squared = MeanAbsoluteError(BnMlpRegressionLoss.SquaredError), huber = MeanAbsoluteError(BnMlpRegressionLoss.Huber);
            Assert.True(huber < squared / 2, $"clean-data MAE: Huber {huber:F3}, squared error {squared:F3}");
        }

        [Fact]
        public void LastValidationLossIsTheMeanSquaredErrorOfTheReturnedModel()
        {
            var ml = new MLContext(seed: 7);
            var train = View(ml, LinearRows(600, seed: 7));
            var validation = View(ml, LinearRows(200, seed: 8));
            var recorder = new EpochRecorder();
            var options = new BnMlpRegressionTrainer.Options { HiddenLayerSizes = [16], NumberOfEpochs = 4, EnsembleSize = 1, Progress = recorder };
            var model = ml.Regression.Trainers.BnMlp(options).Fit(train, validation);
            var reported = recorder.Epochs;
            Assert.Equal(4, reported.Count);
            Assert.All(reported, m => Assert.Null(m.ValidationAccuracy));
            double mse = ml.Regression.Evaluate(model.Transform(validation)).MeanSquaredError;
            Assert.Equal(mse, reported[^1].ValidationLoss.Value, mse * 1e-4);
        }

        [Fact]
        public void CrossValidateAndTrainTestSplitWorkInAPipeline()
        {
            var ml = new MLContext(seed: 9);
            var data = ml.Data.LoadFromEnumerable(ToyCurve.Generate(400, noise: 2, seed: 9));
            var results = ml.Regression.CrossValidate(data, ml.Regression.Trainers.BnMlp(CurveOptions(epochs: 30)), numberOfFolds: 3);
            Assert.Equal(3, results.Count);
            Assert.All(results, r => Assert.True(r.Metrics.RSquared > 0.8, $"fold R² {r.Metrics.RSquared:F3}"));
        }

        [Fact]
        public void RefusesALabelThatIsNotAFloat()
        {
            var ml = new MLContext(seed: 1);
            var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(TestData.BlobView(ml, 50, 2, seed: 1)).Transform(TestData.BlobView(ml, 50, 2, seed: 1));
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.BnMlp().Fit(keyed));
            Assert.Contains("Schema mismatch for label column 'Label': expected Single", error.Message);
        }

        [Fact]
        public void SkipsRowsWithoutALabelAndRefusesAnInfiniteOne()
        {
            var ml = new MLContext(seed: 1);
            var rows = LinearRows(100, seed: 1);
            rows[3].Label = float.NaN;
            var model = ml.Regression.Trainers.BnMlp(new BnMlpRegressionTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 1 }).Fit(View(ml, rows));
            Assert.All(ScoresOf(model.Transform(View(ml, rows))), s => Assert.True(float.IsFinite(s)));

            rows[3].Label = float.PositiveInfinity;
            var error = Assert.Throws<InvalidOperationException>(() => ml.Regression.Trainers.BnMlp().Fit(View(ml, rows)));
            Assert.Contains("Label column 'Label', row 3: found Infinity; regression labels must be finite", error.Message);
        }

        [Fact]
        public void RefusesInvalidRegressionOptionsByName()
        {
            var ml = new MLContext(seed: 1);
            var delta = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.BnMlp(new BnMlpRegressionTrainer.Options { HuberDelta = 0 }));
            Assert.Equal(nameof(BnMlpRegressionTrainer.Options.HuberDelta), delta.ParamName);
            var loss = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.BnMlp(new BnMlpRegressionTrainer.Options { Loss = (BnMlpRegressionLoss)7 }));
            Assert.Equal(nameof(BnMlpRegressionTrainer.Options.Loss), loss.ParamName);
            var bias = Assert.Throws<ArgumentOutOfRangeException>(() => ml.Regression.Trainers.BnMlp(new BnMlpRegressionTrainer.Options { InitialBias = float.NaN }));
            Assert.Equal(nameof(BnMlpOptionsBase.InitialBias), bias.ParamName);
        }

        /// <summary>y = w·x + 3 + N(0, 0.1²) with fixed weights w and standard normal features.</summary>
        internal static LinearRow[] LinearRows(int count, int seed)
        {
            float[] w = [1.5f, -2f, 0.5f, 3f, -1f];
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ =>
            {
                var x = Enumerable.Range(0, Features).Select(_ => (float)TestData.Normal(random)).ToArray();
                return new LinearRow { Features = x, Label = x.Select((v, i) => v * w[i]).Sum() + 3 + 0.1f * (float)TestData.Normal(random) };
            }).ToArray();
        }

        internal static IDataView View(MLContext ml, LinearRow[] rows) => ml.Data.LoadFromEnumerable(rows, Schema(ml));

        private static SchemaDefinition Schema(MLContext ml)
        {
            var definition = SchemaDefinition.Create(typeof(LinearRow));
            definition[nameof(LinearRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, Features);
            return definition;
        }

        internal static float[] ScoresOf(IDataView scored) =>
            scored.GetColumn<float>(scored.Schema["Score"]).ToArray();

        internal sealed class LinearRow
        {
            public float[] Features { get; set; }

            public float Label { get; set; }
        }
    }
}
