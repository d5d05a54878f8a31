using System;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using MLNet.BatchNorm.Comparison;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    public sealed class TabularComparisonTests
    {
        private static readonly TabularSuite Suite = TabularSuite.LoadFromRepository();

        /// <summary>Two cheap contenders with search spaces, for the tuned runs.</summary>
        private static TabularContender[] Cheap(TabularTask task) =>
            DefaultContenders.Tabular(task).Where(c => c.Name is "FastTree" or "Sdca").ToArray();

        [Fact]
        [Trait("Category", "Long")]
        public void TheDefaultsRunGivesEveryContenderARankedRowOnTheSameFolds()
        {
            var sets = new[] { Suite["Zoo"], Suite["Servo"] };
            var partial = new System.Collections.Generic.List<TabularLeaderboard>();
            var board = new TabularComparison { Seeds = [7], Folds = 2, DataSetFinished = partial.Add }.Run(sets);
            Assert.Equal([["Zoo"], ["Zoo", "Servo"]], partial.Select(p => p.DataSets.ToArray()));

            foreach (var set in sets)
            {
                var contenders = DefaultContenders.Tabular(set.Task).Select(c => c.Name).ToArray();
                var rows = board.Rows.Where(r => r.DataSet == set.Name).ToArray();
                Assert.Equal(contenders.Order(), rows.Select(r => r.Contender).Order());
                Assert.Equal(contenders.Length * (contenders.Length + 1) / 2.0, rows.Sum(r => r.Rank), 9);
                Assert.Equal(0, rows.Max(r => r.GapToBest));
                Assert.All(rows, r =>
                {
                    Assert.Equal(2, r.Folds);
                    Assert.Equal(r.Mean, board.FoldResults.Where(f => f.DataSet == set.Name && f.Contender == r.Contender).Average(f => f.Score), 12);
                    Assert.Equal(rows.Max(o => o.Mean) - r.Mean, -r.GapToBest, 12);
                });

                // The same folds for every contender: equal row counts and test-row checksums per fold; the folds split the set.
                int total = System.IO.File.ReadAllLines(set.Path).Length - 1;
                var folds = board.FoldResults.Where(f => f.DataSet == set.Name).GroupBy(f => f.Fold).ToArray();
                Assert.Equal(2, folds.Length);
                Assert.All(folds, fold =>
                {
                    Assert.Equal(contenders.Length, fold.Count());
                    Assert.Single(fold.Select(f => (f.TrainingRows, f.TestRows, f.TestRowsChecksum)).Distinct());
                    Assert.Equal(total, fold.First().TrainingRows + fold.First().TestRows);
                });
                Assert.Equal(total, folds.Sum(f => f.First().TestRows));
                Assert.NotEqual(folds[0].First().TestRowsChecksum, folds[1].First().TestRowsChecksum);
            }
            Assert.Equal(new[] { "Zoo", "Servo" }, board.DataSets);
            Assert.Contains(board.Ranks, r => r.Contender == "Lbfgs" && r.DataSets == 1 && double.IsNaN(r.MeanRankRegression));

            string[] markdown = board.ToMarkdown().TrimEnd().Split('\n');
            Assert.StartsWith("| data set | task | metric | BnMlp |", markdown[0]);
            Assert.Contains(markdown, l => l.StartsWith("| Servo | regression | R² |") && l.Contains('—')); // no Lbfgs regressor
            Assert.Equal(board.Ranks.Count, markdown.SkipWhile(l => !l.StartsWith("| contender")).Count() - 2);
            string[] csv = board.ToCsv().TrimEnd().Split('\n');
            Assert.StartsWith("data_set,task,metric,contender,trainer,mean,standard_deviation", csv[0]);
            Assert.Equal(1 + board.Rows.Count, csv.Length);
        }

        [Fact]
        [Trait("Category", "Long")]
        public void TheSameSeedGivesTheSameFoldsAndScores()
        {
            TabularLeaderboard Run() => new TabularComparison { Seeds = [3], Folds = 3, Contenders = Cheap }.Run([Suite["Servo"]]);
            var first = Run().FoldResults;
            var second = Run().FoldResults;
            Assert.Equal(first.Select(f => (f.Fold, f.Contender, f.TestRowsChecksum, f.Score)), second.Select(f => (f.Fold, f.Contender, f.TestRowsChecksum, f.Score)));
            var otherSeed = new TabularComparison { Seeds = [4], Folds = 3, Contenders = Cheap }.Run([Suite["Servo"]]).FoldResults;
            Assert.NotEqual(first.Select(f => f.TestRowsChecksum), otherSeed.Select(f => f.TestRowsChecksum));
        }

        [Fact]
        public void StratifiedFoldsGiveEachFoldItsShareOfEveryClass()
        {
            // 3 classes of 10, 7 and 2 rows, in blocks.
            int[] strata = [.. Enumerable.Repeat(0, 10), .. Enumerable.Repeat(1, 7), .. Enumerable.Repeat(2, 2)];
            int[] fold = TabularFolds.Assign(strata, 5, seed: 11);
            Assert.Equal(fold, TabularFolds.Assign(strata, 5, seed: 11));
            Assert.NotEqual(fold, TabularFolds.Assign(strata, 5, seed: 12));
            var sizes = Enumerable.Range(0, 5).Select(k => fold.Count(f => f == k)).ToArray();
            Assert.True(sizes.Max() - sizes.Min() <= 1, $"fold sizes {string.Join(",", sizes)}");
            foreach (int c in new[] { 0, 1, 2 })
            {
                var perFold = Enumerable.Range(0, 5).Select(k => Enumerable.Range(0, strata.Length).Count(i => strata[i] == c && fold[i] == k)).ToArray();
                Assert.True(perFold.Max() - perFold.Min() <= 1, $"class {c}: {string.Join(",", perFold)} per fold");
            }
        }

        [Fact]
        public void TuningDrawsFromTheDeclaredRangesOnTheTrainingFoldsAndRepeats()
        {
            var smallTrees = TabularContender.Create("FastTree", "FastTree", TabularTask.Regression,
                () => new FastTreeRegressionTrainer.Options { NumberOfTrees = 10 },
                (ml, o) => ml.Regression.Trainers.FastTree(o),
                new SearchSpace().Range("NumberOfLeaves", 2, 8).Range("LearningRate", 0.05, 0.5, logScale: true));
            TabularLeaderboard Run() => new TabularComparison
            {
                Seeds = [2], Folds = 2, Tune = true, MaxTrials = 4, InnerFolds = 2, SearchBudget = TimeSpan.FromMinutes(10), Contenders = _ => [smallTrees],
            }.Run([Suite["Servo"]]);
            var first = Run().FoldResults;
            Assert.Equal(2, first.Count);
            Assert.All(first, f => Assert.Equal(4, f.Trials));
            Assert.All(first.Where(f => f.Hyperparameters.Values.Count > 0), f =>
            {
                var options = new FastTreeRegressionTrainer.Options();
                f.Hyperparameters.ApplyTo(options);
                Assert.InRange(options.NumberOfLeaves, 2, 8);
                Assert.InRange(options.LearningRate, 0.05, 0.5);
            });
            var second = Run().FoldResults;
            Assert.Equal(first.Select(f => (f.Hyperparameters.ToString(), f.Score)), second.Select(f => (f.Hyperparameters.ToString(), f.Score)));
        }

        public static TheoryData<string> EndlessContenders => ["BnMlp", "FastTree"];

        /// <summary>A candidate that would train for hours is stopped when the search budget runs out and does not count;
        /// the search falls back to the defaults. (Should stopping inside Fit fail, the caller's token ends the search
        /// after a minute and the test fails with OperationCanceledException instead of hanging.)</summary>
        [Theory]
        [MemberData(nameof(EndlessContenders))]
        public void ASearchBudgetStopsTheCandidateInProgress(string trainer)
        {
            var endless = trainer == "BnMlp"
                ? TabularContender.Create("BnMlp", "BnMlp", TabularTask.Regression,
                    () => new BnMlpRegressionTrainer.Options { HiddenLayerSizes = [16], NumberOfEpochs = 10_000_000 },
                    (ml, o) => ml.Regression.Trainers.BnMlp(o))
                : TabularContender.Create("FastTree", "FastTree", TabularTask.Regression,
                    () => new FastTreeRegressionTrainer.Options { NumberOfTrees = 10_000_000, NumberOfLeaves = 2, MinimumExampleCountPerLeaf = 1 },
                    (ml, o) => ml.Regression.Trainers.FastTree(o));
            var data = Suite["Servo"];
            var ml = new MLContext(1);
            var source = ml.Data.Cache(data.Load(ml));
            var labels = source.GetColumn<float>(data.TargetColumn).ToArray();
            var search = new TabularSearch
            {
                Data = data, Source = source, SourceRows = labels.Length, Strata = TabularFolds.RegressionStrata(labels, 5),
                InnerFolds = 2, Budget = TimeSpan.FromSeconds(1), MaxTrials = 5,
            };
            using var safety = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            var (best, trials) = search.Run(endless, Enumerable.Range(0, labels.Length).ToArray(), seed: 1, fold: 0, safety.Token);
            Assert.Equal(0, trials);
            Assert.Same(Hyperparameters.Defaults, best);
            Assert.False(safety.IsCancellationRequested);
        }

        [Fact]
        public void TheCallersTokenStopsTheRunInsideAFit()
        {
            var endless = TabularContender.Create("BnMlp", "BnMlp", TabularTask.Regression,
                () => new BnMlpRegressionTrainer.Options { HiddenLayerSizes = [16], NumberOfEpochs = 10_000_000 },
                (ml, o) => ml.Regression.Trainers.BnMlp(o));
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
            int finished = 0;
            Assert.ThrowsAny<OperationCanceledException>(() =>
                new TabularComparison { Seeds = [1], Folds = 2, Contenders = _ => [endless], FoldFinished = _ => finished++ }.Run([Suite["Servo"]], stop.Token));
            Assert.Equal(0, finished);
        }

        [Fact]
        public void SearchSpacesNameRealOptionsAndSampleWithinTheirRanges()
        {
            var space = new SearchSpace().Range("L2Regularization", 1e-4, 10, logScale: true).Choices("MaximumNumberOfIterations", 5, 50);
            var random = new Random(4);
            for (int i = 0; i < 20; i++)
            {
                var options = new SdcaRegressionTrainer.Options();
                space.Sample(random).ApplyTo(options);
                Assert.InRange(options.L2Regularization.Value, 1e-4f, 10f);
                Assert.Contains(options.MaximumNumberOfIterations.Value, new[] { 5, 50 });
            }
            var error = Assert.Throws<ArgumentException>(() => TabularContender.Create("Sdca", "Sdca", TabularTask.Regression,
                () => new SdcaRegressionTrainer.Options(), (ml, o) => ml.Regression.Trainers.Sdca(o), new SearchSpace().Range("L2Regularisation", 0, 1)));
            Assert.Contains("no public field 'L2Regularisation'", error.Message);

            var bnMlp = SearchSpace.FromAttributes(typeof(BnMlpTrainer.Options));
            Assert.Equal(["HiddenLayerSizes", "PiecewiseLinearBins", "DropoutRate", "LearningRate", "BatchSize", "NumberOfEpochs", "LearningRateSchedule"], bnMlp.Dimensions.Select(d => d.Option));
            var sampled = new BnMlpTrainer.Options();
            bnMlp.Sample(new Random(1)).ApplyTo(sampled);
            Assert.Contains(string.Join(",", sampled.HiddenLayerSizes), new[] { "128", "256,128", "512,256", "100,100,100", "512,512" });
            Assert.InRange(sampled.NumberOfEpochs.Value, 5, 30);
            Assert.Contains(sampled.PiecewiseLinearBins.Value, new[] { 0, 8, 16 });
        }
    }
}
