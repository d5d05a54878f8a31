namespace MLNet.BatchNorm.Comparison
{
    /// <summary>One contender's results: test metrics, costs, and size (averages over folds when cross-validating).</summary>
    public sealed class LeaderboardRow
    {
        /// <summary>Short name of the trainer.</summary>
        public string Trainer { get; internal init; }

        /// <summary>What distinguishes the contender's settings.</summary>
        public string Configuration { get; internal init; }

        /// <summary>Fraction of test rows classified right.</summary>
        public double MicroAccuracy { get; internal init; }

        /// <summary>Mean over classes of each class's accuracy.</summary>
        public double MacroAccuracy { get; internal init; }

        /// <summary>Mean cross-entropy of the predicted probabilities on the test rows.</summary>
        public double LogLoss { get; internal init; }

        /// <summary>Wall time of <c>Fit</c>, in seconds.</summary>
        public double FitSeconds { get; internal init; }

        /// <summary>Median time of one <c>PredictionEngine.Predict</c> call after warm-up, in microseconds; NaN when not measured.</summary>
        public double PredictionMicroseconds { get; internal init; }

        /// <summary>Rows per second of <c>Transform</c> over the test set, reading every score.</summary>
        public double BatchRowsPerSecond { get; internal init; }

        /// <summary>Size of the saved model zip, in bytes.</summary>
        public long ModelBytes { get; internal init; }

        /// <summary>Number of train/test splits averaged (1 for a single split).</summary>
        public int Folds { get; internal init; }
    }
}
