namespace MLNet.BatchNorm.Comparison
{
    /// <summary>One contender's score on one outer test fold of one repetition (seed) of a tabular comparison.</summary>
    public sealed class TabularFoldResult
    {
        /// <summary>The data set.</summary>
        public string DataSet { get; internal init; }

        /// <summary>The data set's task.</summary>
        public TabularTask Task { get; internal init; }

        /// <summary>The repetition's seed (folds, every fit's MLContext, the search).</summary>
        public int Seed { get; internal init; }

        /// <summary>The outer fold tested, from 0.</summary>
        public int Fold { get; internal init; }

        /// <summary>The contender's shared name.</summary>
        public string Contender { get; internal init; }

        /// <summary>What exactly was trained.</summary>
        public string Trainer { get; internal init; }

        /// <summary>Rows trained on (the other folds).</summary>
        public int TrainingRows { get; internal init; }

        /// <summary>Rows of the test fold.</summary>
        public int TestRows { get; internal init; }

        /// <summary>A checksum of the test fold's row positions: equal for every contender of a seed and fold.</summary>
        public long TestRowsChecksum { get; internal init; }

        /// <summary>The task's metric on the test fold: AUC (binary), micro-accuracy (multiclass) or R² (regression).</summary>
        public double Score { get; internal init; }

        /// <summary>Binary: accuracy at the trainer's decision threshold; otherwise NaN.</summary>
        public double Accuracy { get; internal init; }

        /// <summary>Wall time of the final Fit on the training folds, in seconds (the search not included).</summary>
        public double FitSeconds { get; internal init; }

        /// <summary>The options used: <see cref="Hyperparameters.Defaults"/>, or the search's choice.</summary>
        public Hyperparameters Hyperparameters { get; internal init; }

        /// <summary>Candidates the search completed within its budget (0 when not tuned).</summary>
        public int Trials { get; internal init; }
    }
}
