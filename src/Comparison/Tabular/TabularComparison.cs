using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>
    /// An AutoML-style comparison on tabular data sets: per data set and seed, stratified k-fold cross-validation with
    /// folds made once (<see cref="TabularFolds"/>) and used for every contender; each contender featurized the same
    /// way (<see cref="TabularDataset.Featurize"/>, fitted on the training folds) and fitted in a fresh
    /// <see cref="MLContext"/> with the seed. With <see cref="Tune"/>, every contender first gets the same time budget
    /// of random search on each outer training fold (inner folds of those rows only); each outer test fold is scored
    /// once per contender.
    /// </summary>
    public sealed class TabularComparison
    {
        /// <summary>Seeds of the repetitions; each makes its own folds. Default 1, 2, 3.</summary>
        public IReadOnlyList<int> Seeds { get; init; } = [1, 2, 3];

        /// <summary>Outer folds. Default 5.</summary>
        public int Folds { get; init; } = 5;

        /// <summary>Search each contender's options before each outer fold's fit. Default false: ML.NET's defaults.</summary>
        public bool Tune { get; init; }

        /// <summary>Wall time each contender's search gets per outer fold; the candidate running when it ends is
        /// cancelled and not counted. Default 30 s.</summary>
        public TimeSpan SearchBudget { get; init; } = TimeSpan.FromSeconds(30);

        /// <summary>Most candidates per search, the defaults included (to make a search repeatable regardless of
        /// speed). Default no limit.</summary>
        public int MaxTrials { get; init; } = int.MaxValue;

        /// <summary>Inner folds a search scores each candidate on. Default 3.</summary>
        public int InnerFolds { get; init; } = 3;

        /// <summary>The contenders for a task. Default <see cref="DefaultContenders.Tabular"/>.</summary>
        public Func<TabularTask, IReadOnlyList<TabularContender>> Contenders { get; init; } = DefaultContenders.Tabular;

        /// <summary>Called after each contender's outer fold (for progress display).</summary>
        public Action<TabularFoldResult> FoldFinished { get; init; }

        /// <summary>Called after each data set with the leaderboard of the data sets finished so far (to keep the results
        /// of a long run that is stopped).</summary>
        public Action<TabularLeaderboard> DataSetFinished { get; init; }

        /// <summary>Runs the comparison on <paramref name="dataSets"/>.</summary>
        /// <param name="dataSets">The data sets, e.g. <see cref="TabularSuite.DataSets"/>.</param>
        /// <param name="cancellation">Stops the run, inside the fit in progress.</param>
        /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
        /// <exception cref="InvalidDataException">A row's label is not one of the data set's declared classes.</exception>
        public TabularLeaderboard Run(IEnumerable<TabularDataset> dataSets, CancellationToken cancellation = default)
        {
            ArgumentNullException.ThrowIfNull(dataSets);
            ArgumentOutOfRangeException.ThrowIfLessThan(Folds, 2);
            ArgumentOutOfRangeException.ThrowIfLessThan(InnerFolds, 2);
            ArgumentOutOfRangeException.ThrowIfLessThan(MaxTrials, 1);
            if (Seeds is not { Count: > 0 })
                throw new ArgumentException("Give at least one seed.", nameof(Seeds));
            var results = new List<TabularFoldResult>();
            foreach (var data in dataSets)
            {
                results.AddRange(Run(data, cancellation));
                DataSetFinished?.Invoke(new TabularLeaderboard(results.ToArray()));
            }
            return new TabularLeaderboard(results);
        }

        private IEnumerable<TabularFoldResult> Run(TabularDataset data, CancellationToken cancellation)
        {
            var contenders = Contenders(data.Task);
            var ml = new MLContext(Seeds[0]);
            // Parsed once; every fold, contender and seed reads the cached rows.
            var source = ml.Data.Cache(data.Load(ml));
            var strata = Strata(data, source);
            int rows = strata.Length;
            var search = Tune ? new TabularSearch
            {
                Data = data, Source = source, SourceRows = rows, Strata = strata, InnerFolds = InnerFolds, Budget = SearchBudget, MaxTrials = MaxTrials,
            } : null;
            var results = new List<TabularFoldResult>();
            foreach (int seed in Seeds)
            {
                var fold = TabularFolds.Assign(strata, Folds, seed);
                for (int k = 0; k < Folds; k++)
                {
                    int[] trainRows = Enumerable.Range(0, rows).Where(r => fold[r] != k).ToArray();
                    int[] testRows = Enumerable.Range(0, rows).Where(r => fold[r] == k).ToArray();
                    var train = new RowSubsetDataView(source, trainRows, rows);
                    var test = new RowSubsetDataView(source, testRows, rows);
                    foreach (var contender in contenders)
                    {
                        var (hyperparameters, trials) = search?.Run(contender, trainRows, seed, k, cancellation) ?? (Hyperparameters.Defaults, 0);
                        var (score, accuracy, fitSeconds) = TabularScoring.FitAndScore(data, contender, hyperparameters, train, test, seed, cancellation);
                        var result = new TabularFoldResult
                        {
                            DataSet = data.Name, Task = data.Task, Seed = seed, Fold = k, Contender = contender.Name, Trainer = contender.Trainer,
                            TrainingRows = trainRows.Length, TestRows = testRows.Length, TestRowsChecksum = Checksum(testRows),
                            Score = score, Accuracy = accuracy, FitSeconds = fitSeconds, Hyperparameters = hyperparameters, Trials = trials,
                        };
                        results.Add(result);
                        FoldFinished?.Invoke(result);
                    }
                }
            }
            return results;
        }

        /// <summary>Each row's stratum: its class index for classification, its run of neighbouring labels for regression.</summary>
        private int[] Strata(TabularDataset data, IDataView source)
        {
            if (data.Task == TabularTask.Regression)
                return TabularFolds.RegressionStrata(source.GetColumn<float>(data.TargetColumn).ToArray(), Folds);
            var index = data.Classes.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i);
            return source.GetColumn<ReadOnlyMemory<char>>(data.TargetColumn).Select((label, row) =>
                index.TryGetValue(label.ToString(), out int i) ? i
                    : throw new InvalidDataException($"Data set {data.Name}: row {row + 1} has label '{label}', not one of its classes [{string.Join(", ", data.Classes)}].")).ToArray();
        }

        private static long Checksum(int[] rows)
        {
            long sum = 17;
            foreach (int row in rows)
                sum = unchecked(sum * 31 + row);
            return sum;
        }
    }
}
