using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.BatchNorm.TestSupport;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>The BnMlp trainers through ML.NET's estimator workout, and the score annotations ML.NET's scorers give.</summary>
    public sealed class EstimatorContractTests
    {
        private static IDataView Keyed(MLContext ml, IDataView data) =>
            ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(data).Transform(data);

        private static IDataView WithoutLabel(MLContext ml, IDataView data) => ml.Transforms.DropColumns("Label").Fit(data).Transform(data);

        private static IDataView DoubleFeatures(MLContext ml, IDataView data) =>
            ml.Transforms.Conversion.ConvertType("Features", outputKind: DataKind.Double).Fit(data).Transform(data);

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void TheMulticlassTrainerPassesTheEstimatorWorkout(bool textLabels)
        {
            var ml = new MLContext(seed: 1);
            var raw = TestData.BlobView(ml, rows: 200, classes: 3, seed: 1);
            if (textLabels)
                raw = ml.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.String).Fit(raw).Transform(raw);
            var data = Keyed(ml, raw);
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 2 };
            EstimatorWorkout.Run(ml, ml.MulticlassClassification.Trainers.BnMlp(options), data,
                validTransformInput: WithoutLabel(ml, data), invalidInput: DoubleFeatures(ml, data));
        }

        [Fact]
        public void TheRegressionTrainerPassesTheEstimatorWorkout()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(ToyCurve.Generate(200, noise: 1, seed: 1));
            var options = new BnMlpRegressionTrainer.Options { HiddenLayerSizes = [8], BatchNormOnInput = true, NumberOfEpochs = 2 };
            EstimatorWorkout.Run(ml, ml.Regression.Trainers.BnMlp(options), data,
                validTransformInput: WithoutLabel(ml, data), invalidInput: DoubleFeatures(ml, data));
        }

        [Fact]
        public void TheBinaryTrainerPassesTheEstimatorWorkout()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(ToyBinary.Generate(200, seed: 1));
            var options = new BnMlpBinaryTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 2 };
            EstimatorWorkout.Run(ml, ml.BinaryClassification.Trainers.BnMlp(options), data,
                validTransformInput: WithoutLabel(ml, data), invalidInput: DoubleFeatures(ml, data));
        }

        [Fact]
        public void ScoresCarryTheAnnotationsOfMLNetsMulticlassScorer()
        {
            var ml = new MLContext(seed: 1);
            var raw = TestData.BlobView(ml, rows: 200, classes: 3, seed: 1);
            raw = ml.Transforms.Conversion.ConvertType("Label", outputKind: DataKind.String).Fit(raw).Transform(raw);
            var data = Keyed(ml, raw);
            var model = ml.MulticlassClassification.Trainers.BnMlp(new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 1 }).Fit(data);
            var scored = model.Transform(data);
            var reference = ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy().Fit(data).Transform(data);
            foreach (string column in new[] { "Score", "PredictedLabel" })
            {
                var ours = scored.Schema[column].Annotations.Schema.Select(a => (a.Name, a.Type)).OrderBy(a => a.Name);
                var theirs = reference.Schema[column].Annotations.Schema.Select(a => (a.Name, a.Type)).OrderBy(a => a.Name);
                Assert.Equal(theirs, ours);
            }
            VBuffer<ReadOnlyMemory<char>> labels = default, slotNames = default;
            scored.Schema["Score"].Annotations.GetValue(AnnotationUtils.Kinds.TrainingLabelValues, ref labels);
            scored.Schema["Score"].GetSlotNames(ref slotNames);
            Assert.Equal(["0", "1", "2"], labels.DenseValues().Select(l => l.ToString()));
            Assert.Equal(["0", "1", "2"], slotNames.DenseValues().Select(l => l.ToString()));
        }

        [Fact]
        public void ASecondScorerStartsANewScoreColumnSet()
        {
            // ML.NET numbers score column sets from 1, one above any already in the input (how evaluators find the latest).
            var ml = new MLContext(seed: 1);
            var data = Keyed(ml, TestData.BlobView(ml, rows: 200, classes: 3, seed: 1));
            var trainer = ml.MulticlassClassification.Trainers.BnMlp(new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 1 });
            var once = trainer.Fit(data).Transform(data);
            var twice = trainer.Fit(data).Transform(once);
            uint SetId(IDataView view, string column)
            {
                uint id = 0;
                view.Schema[column].Annotations.GetValue(AnnotationUtils.Kinds.ScoreColumnSetId, ref id);
                return id;
            }
            Assert.Equal(1u, SetId(once, "Score"));
            Assert.Equal(1u, SetId(once, "PredictedLabel"));
            Assert.Equal(2u, SetId(twice, "Score"));
            Assert.Equal(2u, SetId(twice, "PredictedLabel"));
        }
    }
}
