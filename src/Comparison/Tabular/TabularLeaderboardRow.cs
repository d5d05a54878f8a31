namespace MLNet.BatchNorm.Comparison
{
    /// <summary>One contender on one data set: its metric over all outer folds of all seeds, and its rank there.</summary>
    public sealed class TabularLeaderboardRow
    {
        /// <summary>The data set.</summary>
        public string DataSet { get; internal init; }

        /// <summary>The data set's task.</summary>
        public TabularTask Task { get; internal init; }

        /// <summary>The metric: "AUC", "accuracy" or "R²".</summary>
        public string Metric { get; internal init; }

        /// <summary>The contender's shared name.</summary>
        public string Contender { get; internal init; }

        /// <summary>What exactly was trained.</summary>
        public string Trainer { get; internal init; }

        /// <summary>Mean of the metric over the test folds.</summary>
        public double Mean { get; internal init; }

        /// <summary>Sample standard deviation of the metric over the test folds (NaN for one fold).</summary>
        public double StandardDeviation { get; internal init; }

        /// <summary>Binary: mean accuracy over the test folds; otherwise NaN.</summary>
        public double MeanAccuracy { get; internal init; }

        /// <summary>Binary: sample standard deviation of the accuracy; otherwise NaN.</summary>
        public double AccuracyStandardDeviation { get; internal init; }

        /// <summary>Test folds averaged (outer folds times seeds).</summary>
        public int Folds { get; internal init; }

        /// <summary>Mean wall time of the final Fit per fold, in seconds.</summary>
        public double MeanFitSeconds { get; internal init; }

        /// <summary>Mean number of search candidates completed per fold (0 when not tuned).</summary>
        public double MeanTrials { get; internal init; }

        /// <summary>Rank by <see cref="Mean"/> among the data set's contenders, 1 the best; ties share the mean of their ranks.</summary>
        public double Rank { get; internal init; }

        /// <summary><see cref="Mean"/> minus the best contender's mean on this data set (0 for the best, negative otherwise).</summary>
        public double GapToBest { get; internal init; }
    }
}
