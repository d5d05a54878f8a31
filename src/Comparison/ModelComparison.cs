using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>
    /// Runs several multiclass contenders on the same train/test split (or the same k folds) and tabulates accuracy,
    /// log-loss, Fit time, single-row latency, batch throughput and model size. Every contender gets the same label
    /// conversion (<c>MapValueToKey</c>, keys in value order) and a fresh <see cref="MLContext"/> with the same seed, so
    /// results do not depend on the order of the contenders.
    /// </summary>
    /// <typeparam name="TInput">The row class, used to time <see cref="PredictionEngine{TSrc, TDst}"/> on sample rows.</typeparam>
    public sealed class ModelComparison<TInput> where TInput : class, new()
    {
        private const int LatencyRounds = 21;
        private const int WarmUpPredictions = 20_000; // enough calls for the JIT's final tier
        private const string ScoreColumn = "Score";

        private sealed class ScoreOnly
        {
            public float[] Score { get; set; }
        }

        private readonly int _seed;
        private readonly string _labelColumnName;

        /// <summary>Creates a comparison.</summary>
        /// <param name="seed">Seed of every contender's <see cref="MLContext"/> and of the fold split.</param>
        /// <param name="labelColumnName">The label column, before key conversion.</param>
        public ModelComparison(int seed = 1, string labelColumnName = "Label")
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(labelColumnName);
            _seed = seed;
            _labelColumnName = labelColumnName;
        }

        /// <summary>Rows to time single predictions on (cycled); none: latency is not measured.</summary>
        public IReadOnlyList<TInput> LatencySample { get; init; } = [];

        /// <summary>Single predictions timed per contender and round (the median of 21 rounds is reported).</summary>
        public int PredictionsPerRound { get; init; } = 500;

        /// <summary>Called after each contender finishes, with its row (for progress display).</summary>
        public Action<LeaderboardRow> ContenderFinished { get; init; }

        /// <summary>Trains every contender on <paramref name="train"/> and evaluates it on <paramref name="test"/>.</summary>
        /// <param name="contenders">The contenders, in the leaderboard's order.</param>
        /// <param name="train">The training data.</param>
        /// <param name="test">The test data.</param>
        /// <param name="cancellation">Stops the comparison inside the running contender's Fit (through
        /// <c>MLContext.CancelExecution()</c>, which ML.NET's trainers check).</param>
        /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
        public Leaderboard Run(IEnumerable<Contender> contenders, IDataView train, IDataView test, CancellationToken cancellation = default)
        {
            ArgumentNullException.ThrowIfNull(contenders);
            ArgumentNullException.ThrowIfNull(train);
            ArgumentNullException.ThrowIfNull(test);
            return new Leaderboard(contenders.Select(c => Report(c, [Measure(c, train, test, cancellation)])).ToList());
        }

        /// <summary>Trains and evaluates every contender on the same <paramref name="folds"/> folds of <paramref name="data"/>
        /// and averages the results.</summary>
        /// <param name="contenders">The contenders, in the leaderboard's order.</param>
        /// <param name="data">The data to split into folds.</param>
        /// <param name="folds">Number of folds; at least 2.</param>
        /// <param name="cancellation">Stops the comparison inside the running contender's Fit.</param>
        /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
        public Leaderboard CrossValidate(IEnumerable<Contender> contenders, IDataView data, int folds = 5, CancellationToken cancellation = default)
        {
            ArgumentNullException.ThrowIfNull(contenders);
            ArgumentNullException.ThrowIfNull(data);
            ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
            var splits = new MLContext(_seed).Data.CrossValidationSplit(data, folds, seed: _seed);
            return new Leaderboard(contenders.Select(c => Report(c, splits.Select(s => Measure(c, s.TrainSet, s.TestSet, cancellation)).ToList())).ToList());
        }

        private LeaderboardRow Report(Contender contender, IReadOnlyList<LeaderboardRow> folds)
        {
            var row = new LeaderboardRow
            {
                Trainer = contender.Trainer,
                Configuration = contender.Configuration,
                MicroAccuracy = folds.Average(f => f.MicroAccuracy),
                MacroAccuracy = folds.Average(f => f.MacroAccuracy),
                LogLoss = folds.Average(f => f.LogLoss),
                FitSeconds = folds.Average(f => f.FitSeconds),
                PredictionMicroseconds = folds.Average(f => f.PredictionMicroseconds),
                BatchRowsPerSecond = folds.Average(f => f.BatchRowsPerSecond),
                ModelBytes = (long)folds.Average(f => f.ModelBytes),
                Folds = folds.Count,
            };
            ContenderFinished?.Invoke(row);
            return row;
        }

        private LeaderboardRow Measure(Contender contender, IDataView train, IDataView test, CancellationToken cancellation)
        {
            var ml = new MLContext(_seed);
            var pipeline = ml.Transforms.Conversion.MapValueToKey(_labelColumnName, keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Append(contender.CreateEstimator(ml));
            // After the estimators exist: CancelExecution reaches the components registered with the context so far.
            using var stop = cancellation.Register(ml.CancelExecution);
            cancellation.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var model = pipeline.Fit(train);
            double fitSeconds = clock.Elapsed.TotalSeconds;
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test), _labelColumnName);
            var saved = new MemoryStream();
            ml.Model.Save(model, train.Schema, saved);
            return new LeaderboardRow
            {
                MicroAccuracy = metrics.MicroAccuracy,
                MacroAccuracy = metrics.MacroAccuracy,
                LogLoss = metrics.LogLoss,
                FitSeconds = fitSeconds,
                PredictionMicroseconds = PredictionMicroseconds(ml, model),
                BatchRowsPerSecond = BatchRowsPerSecond(model, test),
                ModelBytes = saved.Length,
            };
        }

        private double PredictionMicroseconds(MLContext ml, ITransformer model)
        {
            if (LatencySample.Count == 0)
                return double.NaN;
            using var engine = ml.Model.CreatePredictionEngine<TInput, ScoreOnly>(model);
            var output = new ScoreOnly();
            for (int i = 0; i < WarmUpPredictions; i++)
                engine.Predict(LatencySample[i % LatencySample.Count], ref output);
            var perRow = new double[LatencyRounds];
            for (int round = 0; round < LatencyRounds; round++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < PredictionsPerRound; i++)
                    engine.Predict(LatencySample[(round * PredictionsPerRound + i) % LatencySample.Count], ref output);
                perRow[round] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / PredictionsPerRound;
            }
            Array.Sort(perRow);
            return perRow[LatencyRounds / 2];
        }

        /// <summary>Transform over the test set reading every score; the better of two passes (the first warms up).</summary>
        private static double BatchRowsPerSecond(ITransformer model, IDataView test)
        {
            double best = 0;
            for (int pass = 0; pass < 2; pass++)
            {
                var scored = model.Transform(test);
                var clock = Stopwatch.StartNew();
                long rows = 0;
                using (var cursor = scored.GetRowCursor([scored.Schema[ScoreColumn]]))
                {
                    var getScore = cursor.GetGetter<VBuffer<float>>(scored.Schema[ScoreColumn]);
                    VBuffer<float> score = default;
                    while (cursor.MoveNext())
                    {
                        getScore(ref score);
                        rows++;
                    }
                }
                best = Math.Max(best, rows / clock.Elapsed.TotalSeconds);
            }
            return best;
        }
    }
}
