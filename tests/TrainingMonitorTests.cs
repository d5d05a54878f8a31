using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.BatchNorm.TestSupport;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>Validation, early stopping, learning-rate schedules and per-epoch progress, of one network.</summary>
    public sealed class TrainingMonitorTests
    {
        private static readonly MLContext Ml = new(seed: 1);

        private static IDataView Keyed(IDataView data) =>
            Ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(data).Transform(data);

        [Fact]
        public void ProgressReportsEveryEpochWithValidationMetrics()
        {
            var recorder = new EpochRecorder();
            var options = new BnMlpTrainer.Options { EnsembleSize = 1, HiddenLayerSizes = [16], NumberOfEpochs = 5, LearningRate = 1e-2f, ValidationFraction = 0.25f, Progress = recorder };
            Ml.MulticlassClassification.Trainers.BnMlp(options).Fit(Keyed(TestData.BlobView(Ml, rows: 600, classes: 3, seed: 4)));
            Assert.Equal([1, 2, 3, 4, 5], recorder.Epochs.Select(m => m.Epoch));
            Assert.All(recorder.Epochs, m =>
            {
                Assert.Equal(5, m.NumberOfEpochs);
                Assert.True(double.IsFinite(m.TrainingLoss) && m.TrainingLoss > 0);
                Assert.True(m.ValidationLoss is double loss && double.IsFinite(loss) && loss > 0);
                Assert.InRange(m.ValidationAccuracy.Value, 0, 1);
                Assert.Equal(1e-2f, m.LearningRate, 1e-9);
                Assert.True(m.RowsPerSecond > 0 && m.Elapsed > TimeSpan.Zero);
            });
            Assert.True(recorder.Epochs[^1].ValidationAccuracy > 0.9, $"separable blobs should be learned: {recorder.Epochs[^1]}");
        }

        [Fact]
        public void WithoutValidationTheMetricsHaveNoValidationValues()
        {
            var recorder = new EpochRecorder();
            var options = new BnMlpTrainer.Options { EnsembleSize = 1, HiddenLayerSizes = [8], NumberOfEpochs = 2, Progress = recorder };
            Ml.MulticlassClassification.Trainers.BnMlp(options).Fit(Keyed(TestData.BlobView(Ml, rows: 100, classes: 2, seed: 5)));
            Assert.Equal(2, recorder.Epochs.Count);
            Assert.All(recorder.Epochs, m => Assert.Null(m.ValidationLoss));
        }

        [Theory]
        [InlineData(PopulationStatisticsMode.Exact)]
        [InlineData(PopulationStatisticsMode.MovingAverage)]
        public void TheLastValidationMetricsAreWhatEvaluateGivesForTheReturnedModel(PopulationStatisticsMode statistics)
        {
            var recorder = new EpochRecorder();
            var all = Keyed(Ml.Data.LoadFromEnumerable(TestData.MnistTrain.Take(1500)));
            var train = Ml.Data.TakeRows(all, 1000);
            var validation = Ml.Data.SkipRows(all, 1000);
            var options = new BnMlpTrainer.Options { EnsembleSize = 1, HiddenLayerSizes = [32], NumberOfEpochs = 3, PopulationStatistics = statistics, Progress = recorder };
            var model = Ml.MulticlassClassification.Trainers.BnMlp(options).Fit(train, validation);
            var metrics = Ml.MulticlassClassification.Evaluate(model.Transform(validation));
            Assert.Equal(metrics.MicroAccuracy, recorder.Epochs[^1].ValidationAccuracy.Value, 1e-9);
            Assert.Equal(metrics.LogLoss, recorder.Epochs[^1].ValidationLoss.Value, 1e-4);
        }

        [Fact]
        public void EarlyStoppingStopsAndReturnsTheBestEpochsModel()
        {
            // Random labels: the network can only memorize, so the validation loss soon rises.
            var random = new Random(3);
            var rows = Enumerable.Range(0, 240).Select(_ => new Digit
            {
                Features = Enumerable.Range(0, 40).Select(_ => (float)TestData.Normal(random)).ToArray(),
                Label = (uint)random.Next(2),
            }).ToArray();
            var all = Keyed(Ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(Ml, 40)));
            var train = Ml.Data.TakeRows(all, 160);
            var validation = Ml.Data.SkipRows(all, 160);
            var recorder = new EpochRecorder();
            var options = new BnMlpTrainer.Options
            {
                EnsembleSize = 1, HiddenLayerSizes = [128, 128], DropoutRate = 0, LearningRate = 1e-2f, BatchSize = 16, NumberOfEpochs = 40,
                EarlyStoppingPatience = 3, Progress = recorder,
            };
            var model = Ml.MulticlassClassification.Trainers.BnMlp(options).Fit(train, validation);

            var epochs = recorder.Epochs;
            var best = epochs.MinBy(m => m.ValidationLoss.Value);
            Assert.True(epochs.Count < options.NumberOfEpochs, "training should have stopped early");
            Assert.Equal(best.Epoch + options.EarlyStoppingPatience, epochs[^1].Epoch);
            Assert.True(best.IsBestSoFar);
            var metrics = Ml.MulticlassClassification.Evaluate(model.Transform(validation));
            Assert.Equal(best.ValidationLoss.Value, metrics.LogLoss, 1e-4);
            Assert.Equal(best.ValidationAccuracy.Value, metrics.MicroAccuracy, 1e-9);
        }

        [Fact]
        public void ALongEpochIsReportedWhileItRuns()
        {
            // With a tiny interval every batch but an epoch's last is reported as partial progress; the epoch's own
            // report still comes once, at its end.
            var reports = new List<BnMlpEpochMetrics>();
            var log = new List<string>();
            var ml = new MLContext(seed: 1);
            ml.Log += (_, e) => log.Add(e.RawMessage);
            var options = new BnMlpTrainer.Options
            {
                EnsembleSize = 1, HiddenLayerSizes = [8], NumberOfEpochs = 2, BatchSize = 50, ValidationFraction = 0.2f, ProgressInterval = TimeSpan.FromTicks(1),
                Progress = new Sink(reports.Add),
            };
            ml.MulticlassClassification.Trainers.BnMlp(options).Fit(Keyed(TestData.BlobView(ml, rows: 250, classes: 2, seed: 3)));

            // 200 training rows in batches of 50: partial reports after batches 1-3 of each epoch, then the epoch's.
            double[] fractions = [0.25, 0.5, 0.75, 1];
            Assert.Equal(fractions.Concat(fractions), reports.Select(r => r.FractionOfEpoch.Value));
            Assert.Equal([1, 1, 1, 1, 2, 2, 2, 2], reports.Select(r => r.Epoch));
            Assert.Equal([true, true, true, false, true, true, true, false], reports.Select(r => r.IsPartial));
            Assert.All(reports.Where(r => r.IsPartial), r =>
            {
                Assert.Null(r.ValidationLoss);
                Assert.True(double.IsFinite(r.TrainingLoss) && r.TrainingLoss > 0);
                Assert.StartsWith($"Epoch {r.Epoch}/2 {r.FractionOfEpoch:P0} done: training loss so far", r.ToString());
            });
            Assert.All(reports.Where(r => !r.IsPartial), r =>
            {
                Assert.True(r.ValidationLoss is > 0 and < double.PositiveInfinity, $"validation loss {r.ValidationLoss}");
                Assert.InRange(r.ValidationAccuracy.Value, 0, 1);
            });
            Assert.Equal(reports.Select(r => r.ToString()), log.Where(m => m.StartsWith("Epoch ", StringComparison.Ordinal)));
        }

        [Fact]
        public void EarlyStoppingWithoutValidationDataIsRefused()
        {
            var options = new BnMlpTrainer.Options { EnsembleSize = 1, HiddenLayerSizes = [4], EarlyStoppingPatience = 2 };
            var error = Assert.Throws<InvalidOperationException>(() =>
                Ml.MulticlassClassification.Trainers.BnMlp(options).Fit(Keyed(TestData.BlobView(Ml, rows: 50, classes: 2, seed: 1))));
            Assert.Contains("ValidationFraction", error.Message);
        }

        [Theory]
        [InlineData(LearningRateSchedule.Step, new[] { 1.0, 1.0, 0.5, 0.5, 0.25 })]
        [InlineData(LearningRateSchedule.Cosine, new[] { 1.0, 0.9045084971874737, 0.6545084971874737, 0.3454915028125263, 0.09549150281252633 })]
        public void TheLearningRateFollowsTheSchedule(LearningRateSchedule schedule, double[] factors)
        {
            var recorder = new EpochRecorder();
            var options = new BnMlpTrainer.Options
            {
                EnsembleSize = 1, HiddenLayerSizes = [4], NumberOfEpochs = 5, LearningRate = 0.01f, LearningRateSchedule = schedule,
                LearningRateStepEpochs = 2, LearningRateStepFactor = 0.5f, Progress = recorder,
            };
            Ml.MulticlassClassification.Trainers.BnMlp(options).Fit(Keyed(TestData.BlobView(Ml, rows: 50, classes: 2, seed: 1)));
            Assert.Equal(factors.Select(f => 0.01f * f), recorder.Epochs.Select(m => m.LearningRate), new ToleranceComparer(1e-9));
        }

        /// <summary>Calls back on the training thread (unlike <see cref="Progress{T}"/>, which posts).</summary>
        private sealed class Sink(Action<BnMlpEpochMetrics> report) : IProgress<BnMlpEpochMetrics>
        {
            public void Report(BnMlpEpochMetrics value) => report(value);
        }

        private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
        {
            public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

            public int GetHashCode(double value) => 0;
        }
    }
}
