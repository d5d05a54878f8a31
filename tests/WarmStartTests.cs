using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MLNet.BatchNorm.TestSupport;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>Continuing training from earlier model parameters: <c>Fit(trainData, modelParameters)</c>.</summary>
    public sealed class WarmStartTests
    {
        private static BnMlpTrainer.Options Options(int epochs, float learningRate = 1e-3f) => new()
        {
            HiddenLayerSizes = [32, 16], BatchNormOnInput = true, NumberOfEpochs = epochs, LearningRate = learningRate, DropoutRate = 0,
        };

        private static (MLContext Ml, IDataView Data) KeyedBlobs()
        {
            var ml = new MLContext(seed: 1);
            var raw = TestData.BlobView(ml, rows: 1200, classes: 4, seed: 7, features: 10);
            var keyed = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(raw).Transform(raw);
            return (ml, ml.Data.Cache(keyed));
        }

        private static double TrainingLogLoss(MLContext ml, ITransformer model, IDataView data) =>
            ml.MulticlassClassification.Evaluate(model.Transform(data)).LogLoss;

        [Fact]
        public void ContinuingFromAFittedModelLowersTheTrainingLoss()
        {
            var (ml, data) = KeyedBlobs();
            var start = ml.MulticlassClassification.Trainers.BnMlp(Options(epochs: 1)).Fit(data);
            var continued = ml.MulticlassClassification.Trainers.BnMlp(Options(epochs: 3)).Fit(data, start.Model);
            double before = TrainingLogLoss(ml, start, data), after = TrainingLogLoss(ml, continued, data);
            Assert.True(after <= before, $"training log-loss {before:F4} after 1 epoch, {after:F4} after 3 more");
            // That continuing starts from the given weights, rather than afresh, is ContinuingStartsFromTheGivenWeightsAndStatistics.
        }

        [Fact]
        public void ContinuingStartsFromTheGivenWeightsAndStatistics()
        {
            // With a vanishing learning rate the weights stay where they start: a warm start must hand them back (the
            // exact statistics pass recomputes the population statistics on the same data, nearly the same values).
            var (ml, data) = KeyedBlobs();
            var start = ml.MulticlassClassification.Trainers.BnMlp(Options(epochs: 2)).Fit(data);
            var continued = ml.MulticlassClassification.Trainers.BnMlp(Options(epochs: 1, learningRate: 1e-12f)).Fit(data, start.Model);
            for (int i = 0; i < start.Model.Layers.Count; i++)
                Assert.Equal(start.Model.Layers[i].Weights, continued.Model.Layers[i].Weights, new Tolerance(1e-6f));
            Assert.Equal(start.Model.Layers[0].BatchNorm.Gamma, continued.Model.Layers[0].BatchNorm.Gamma, new Tolerance(1e-6f));
            Assert.Equal(start.Model.Layers[0].BatchNorm.Beta, continued.Model.Layers[0].BatchNorm.Beta, new Tolerance(1e-6f));
            Assert.Equal(start.Model.InputBatchNorm.Gamma, continued.Model.InputBatchNorm.Gamma, new Tolerance(1e-6f));
            Assert.Equal(start.Model.InputBatchNorm.Mean, continued.Model.InputBatchNorm.Mean, new Tolerance(0.2f));
            double before = TrainingLogLoss(ml, start, data), after = TrainingLogLoss(ml, continued, data);
            Assert.True(Math.Abs(before - after) < 0.02, $"training log-loss {before:F4} before, {after:F4} after");
        }

        [Fact]
        public void ContinuingFromASavedAndLoadedModelEqualsContinuingFromTheFittedOne()
        {
            var (ml, data) = KeyedBlobs();
            var start = ml.MulticlassClassification.Trainers.BnMlp(Options(epochs: 1)).Fit(data);
            var saved = new MemoryStream();
            ml.Model.Save(start, data.Schema, saved);
            var loaded = (BnMlpMulticlassTransformer)ml.Model.Load(new MemoryStream(saved.ToArray()), out _);

            float[][] Continue(BnMlpModelParameters from)
            {
                var fresh = new MLContext(seed: 3);
                return TestData.Scores(fresh.MulticlassClassification.Trainers.BnMlp(Options(epochs: 2)).Fit(data, from).Transform(data));
            }
            var fromFitted = Continue(start.Model);
            var fromLoaded = Continue(loaded.Model);
            Assert.True(fromFitted.Zip(fromLoaded).All(p => p.First.SequenceEqual(p.Second)), "the loaded parameters continue differently");
        }

        [Theory]
        [InlineData("HiddenLayerSizes")]
        [InlineData("UseBatchNorm")]
        [InlineData("BatchNormOnInput")]
        [InlineData("Activation")]
        [InlineData("features")]
        public void AModelOfAnotherShapeIsRefusedNamingTheDifference(string difference)
        {
            var (ml, data) = KeyedBlobs();
            var start = ml.MulticlassClassification.Trainers.BnMlp(Options(epochs: 1)).Fit(data);
            var options = Options(epochs: 1);
            var trainData = data;
            switch (difference)
            {
                case "HiddenLayerSizes": options.HiddenLayerSizes = [32, 8]; break;
                case "UseBatchNorm": options.UseBatchNorm = false; break;
                case "BatchNormOnInput": options.BatchNormOnInput = false; break;
                case "Activation": options.Activation = BnMlpActivation.Tanh; break;
                default:
                    var wider = TestData.BlobView(ml, rows: 200, classes: 4, seed: 7, features: 12);
                    trainData = ml.Transforms.Conversion.MapValueToKey("Label").Fit(wider).Transform(wider);
                    break;
            }
            var error = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.BnMlp(options).Fit(trainData, start.Model));
            Assert.Contains("do not fit the options and data", error.Message);
            Assert.Contains(difference, error.Message);
            Assert.All(error.Message.Split(';'), part => Assert.Contains(difference, part)); // only the difference made
        }

        [Fact]
        public void AnEnsembleCannotContinueFromAModel()
        {
            var (ml, data) = KeyedBlobs();
            var options = Options(epochs: 1);
            options.BatchNormOnInput = false;
            var start = ml.MulticlassClassification.Trainers.BnMlp(options).Fit(data);
            options.EnsembleSize = 2;
            var error = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.BnMlp(options).Fit(data, start.Model));
            Assert.Contains("EnsembleSize is 2", error.Message);
        }

        [Fact]
        public void ARegressorContinuesFromItsModelToo()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(ToyCurve.Generate(400, noise: 1, seed: 3));
            var options = new BnMlpRegressionTrainer.Options { HiddenLayerSizes = [16], BatchNormOnInput = true, LearningRate = 0.01f, NumberOfEpochs = 5, DropoutRate = 0 };
            var start = ml.Regression.Trainers.BnMlp(options).Fit(data);
            var continued = ml.Regression.Trainers.BnMlp(options).Fit(data, start.Model);
            double before = ml.Regression.Evaluate(start.Transform(data)).MeanSquaredError;
            double after = ml.Regression.Evaluate(continued.Transform(data)).MeanSquaredError;
            Assert.True(after <= before, $"training MSE {before:F3} after 5 epochs, {after:F3} after 5 more");
        }

        private sealed class Tolerance(float tolerance) : System.Collections.Generic.IEqualityComparer<float>
        {
            public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

            public int GetHashCode(float value) => 0;
        }
    }
}
