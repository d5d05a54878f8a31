using System;
using System.Collections.Generic;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>What a <see cref="BnMlpSearch"/> found.</summary>
    public sealed class BnMlpSearchResult
    {
        /// <summary>The candidate with the best validation accuracy (ties: lower log-loss).</summary>
        public BnMlpTrial Best { get; internal init; }

        /// <summary>All candidates, in the order tried.</summary>
        public IReadOnlyList<BnMlpTrial> Trials { get; internal init; }

        /// <summary>Wall time of the whole search.</summary>
        public TimeSpan Elapsed { get; internal init; }
    }
}
