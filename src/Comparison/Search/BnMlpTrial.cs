namespace MLNet.BatchNorm.Comparison
{
    /// <summary>One candidate of a <see cref="BnMlpSearch"/>.</summary>
    public sealed class BnMlpTrial
    {
        /// <summary>1 for the default options, then in the order tried.</summary>
        public int Number { get; internal init; }

        /// <summary>The candidate's options.</summary>
        public BnMlpTrainer.Options Options { get; internal init; }

        /// <summary>The tuned fields' values.</summary>
        public string Configuration { get; internal init; }

        /// <summary>Accuracy on the held-out validation part.</summary>
        public double ValidationAccuracy { get; internal init; }

        /// <summary>Log-loss on the held-out validation part.</summary>
        public double ValidationLogLoss { get; internal init; }

        /// <summary>Wall time of the candidate's Fit, in seconds.</summary>
        public double FitSeconds { get; internal init; }
    }
}
