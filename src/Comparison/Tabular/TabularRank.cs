namespace MLNet.BatchNorm.Comparison
{
    /// <summary>A contender's ranks over the data sets of a tabular comparison.</summary>
    public sealed class TabularRank
    {
        /// <summary>The contender's shared name.</summary>
        public string Contender { get; internal init; }

        /// <summary>Mean rank over the data sets it ran on (1 = best on every set).</summary>
        public double MeanRank { get; internal init; }

        /// <summary>Mean rank over the binary sets; NaN when there were none.</summary>
        public double MeanRankBinary { get; internal init; }

        /// <summary>Mean rank over the multiclass sets; NaN when there were none.</summary>
        public double MeanRankMulticlass { get; internal init; }

        /// <summary>Mean rank over the regression sets; NaN when there were none (or the contender has no regressor).</summary>
        public double MeanRankRegression { get; internal init; }

        /// <summary>Data sets it ran on.</summary>
        public int DataSets { get; internal init; }

        /// <summary>Data sets where it had the best mean (a shared best counts for each).</summary>
        public int Wins { get; internal init; }
    }
}
