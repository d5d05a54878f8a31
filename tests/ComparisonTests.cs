using System;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using MLNet.BatchNorm.Comparison;
using MLNet.BatchNorm.TestSupport;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    public sealed class ComparisonTests
    {
        private static readonly MLContext Ml = new(seed: 1);
        private static readonly IDataView Train = Ml.Data.LoadFromEnumerable(TestData.MnistTrain.Take(400));
        private static readonly IDataView Test = Ml.Data.LoadFromEnumerable(TestData.MnistTest.Take(200));

        private static readonly Contender[] Small =
        [
            new("LbfgsMaximumEntropy", "default", ml => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()),
            new("NaiveBayes", "default", ml => ml.MulticlassClassification.Trainers.NaiveBayes()),
            DefaultContenders.BnMlp("BN on", new BnMlpTrainer.Options { HiddenLayerSizes = [32], NumberOfEpochs = 5 }),
            DefaultContenders.BnMlp("BN off", new BnMlpTrainer.Options { HiddenLayerSizes = [32], NumberOfEpochs = 5, UseBatchNorm = false }),
        ];

        [Fact]
        [Trait("Category", "Long")]
        public void EveryContenderGetsARowWithMeasuredFigures()
        {
            var comparison = new ModelComparison<Digit> { LatencySample = TestData.MnistTest.Take(50).ToArray(), PredictionsPerRound = 50 };
            var board = comparison.Run(Small, Train, Test);
            Assert.Equal(Small.Length, board.Rows.Count);
            Assert.Equal(board.Rows.OrderByDescending(r => r.MicroAccuracy).Select(r => r.Configuration + r.Trainer), board.Rows.Select(r => r.Configuration + r.Trainer));
            Assert.All(board.Rows, row =>
            {
                Assert.InRange(row.MicroAccuracy, 0.5, 1); // 10 classes: chance is 0.1
                Assert.InRange(row.MacroAccuracy, 0.5, 1);
                Assert.True(row.LogLoss > 0 && row.FitSeconds > 0 && row.PredictionMicroseconds > 0 && row.BatchRowsPerSecond > 0 && row.ModelBytes > 1000);
                Assert.Equal(1, row.Folds);
            });
            string markdown = board.ToMarkdown();
            Assert.Equal(2 + Small.Length, markdown.TrimEnd().Split('\n').Length);
            Assert.Contains("| BnMlp | BN off |", markdown);
            string[] csv = board.ToCsv().TrimEnd().Split('\n');
            Assert.StartsWith("trainer,configuration,micro_accuracy", csv[0]);
            Assert.Equal(1 + Small.Length, csv.Length);
        }

        [Fact]
        [Trait("Category", "Long")]
        public void AccuraciesRepeatWithTheSameSeedWhateverTheContenderOrder()
        {
            var first = new ModelComparison<Digit>(seed: 3).Run(Small, Train, Test);
            var second = new ModelComparison<Digit>(seed: 3).Run(Small.Reverse(), Train, Test);
            foreach (var row in first.Rows)
            {
                var same = second.Rows.Single(r => r.Trainer == row.Trainer && r.Configuration == row.Configuration);
                Assert.Equal(row.MicroAccuracy, same.MicroAccuracy);
                Assert.Equal(row.LogLoss, same.LogLoss);
            }
        }

        [Fact]
        [Trait("Category", "Long")]
        public void CrossValidationAveragesTheSameFoldsForEveryContender()
        {
            var board = new ModelComparison<Digit>().CrossValidate(Small.Take(2), Train, folds: 3);
            Assert.All(board.Rows, row => Assert.Equal(3, row.Folds));
            Assert.All(board.Rows, row => Assert.True(double.IsNaN(row.PredictionMicroseconds), "no latency sample was given"));
        }

        [Fact]
        public void CancellingAComparisonStopsInsideTheRunningFit()
        {
            // 2,000 epochs take minutes: only a Fit stopped from inside ends the run within the test.
            int finished = 0;
            var comparison = new ModelComparison<Digit> { ContenderFinished = _ => finished++ };
            var slow = DefaultContenders.BnMlp("long", new BnMlpTrainer.Options { HiddenLayerSizes = [32], NumberOfEpochs = 2000 });
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            Assert.ThrowsAny<OperationCanceledException>(() => comparison.Run([slow], Train, Test, cancel.Token));
            Assert.Equal(0, finished);
        }

        [Fact]
        public void TheSearchBudgetStopsInsideATrial()
        {
            // One trial of the default options on 8,000 digits takes seconds; a budget of half a second ends inside it,
            // and a search with no finished trial has no result to give.
            var digits = Ml.Data.LoadFromEnumerable(TestData.MnistTrain);
            int finished = 0;
            var search = new BnMlpSearch(seed: 5) { MaxTrials = 3, TimeBudget = TimeSpan.FromSeconds(0.5), TrialFinished = _ => finished++ };
            var error = Assert.Throws<TimeoutException>(() => search.Run(digits));
            Assert.Contains("before the first trial finished", error.Message);
            Assert.Equal(0, finished);
        }

        [Fact]
        public void CancellingTheSearchStopsInsideATrial()
        {
            var digits = Ml.Data.LoadFromEnumerable(TestData.MnistTrain);
            int finished = 0;
            var search = new BnMlpSearch(seed: 5) { MaxTrials = 3, TrialFinished = _ => finished++ };
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(0.5));
            Assert.ThrowsAny<OperationCanceledException>(() => search.Run(digits, cancel.Token));
            Assert.Equal(0, finished);
        }

        [Fact]
        public void TheDefaultContendersAreMLNetsTrainersAndBnMlpWithAndWithoutBatchNorm()
        {
            var names = DefaultContenders.Multiclass().Select(c => $"{c.Trainer} {c.Configuration}").ToArray();
            Assert.Equal(
                ["LightGbm default", "OneVersusAll(FastTree) default", "LbfgsMaximumEntropy default", "SdcaMaximumEntropy default",
                 "NaiveBayes default", "BnMlp BN on (defaults)", "BnMlp BN off"], names);
        }

        [Fact]
        [Trait("Category", "Long")]
        public void TheSearchStartsFromTheDefaultsAndRepeatsWithTheSameSeed()
        {
            BnMlpSearchResult Search() => new BnMlpSearch(seed: 5) { MaxTrials = 3 }.Run(Train);
            var first = Search();
            var second = Search();
            Assert.Equal(3, first.Trials.Count);
            Assert.Equal(BnMlpSearch.Describe(new BnMlpTrainer.Options()), first.Trials[0].Configuration);
            Assert.Equal(first.Trials.Select(t => (t.Configuration, t.ValidationAccuracy)), second.Trials.Select(t => (t.Configuration, t.ValidationAccuracy)));
            Assert.Equal(first.Trials.Max(t => t.ValidationAccuracy), first.Best.ValidationAccuracy);
            Assert.All(first.Trials.Skip(1), t =>
            {
                Assert.InRange(t.Options.LearningRate, 3e-4f, 3e-3f);
                Assert.InRange(t.Options.DropoutRate, 0f, 0.4f);
                Assert.Contains(t.Options.BatchSize.Value, new[] { 32, 64, 128, 256 });
                Assert.InRange(t.Options.NumberOfEpochs.Value, 5, 30);
            });
        }
    }
}
