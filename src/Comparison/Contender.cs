using System;
using Microsoft.ML;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>
    /// One entry of a comparison: a name, a description of its settings, and how to make its estimator. The estimator
    /// receives the data with the label already converted to a key; it must produce <c>Score</c> and <c>PredictedLabel</c>
    /// (any ML.NET multiclass trainer, optionally after its own featurization).
    /// </summary>
    public sealed class Contender
    {
        private readonly Func<MLContext, IEstimator<ITransformer>> _createEstimator;

        /// <summary>Creates a contender.</summary>
        /// <param name="trainer">Short name, e.g. "LightGbm".</param>
        /// <param name="configuration">The settings that distinguish it, e.g. "default" or "BN off".</param>
        /// <param name="createEstimator">Makes the estimator for a given context (called once per fit).</param>
        public Contender(string trainer, string configuration, Func<MLContext, IEstimator<ITransformer>> createEstimator)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(trainer);
            ArgumentNullException.ThrowIfNull(createEstimator);
            Trainer = trainer;
            Configuration = configuration ?? "";
            _createEstimator = createEstimator;
        }

        /// <summary>Short name of the trainer.</summary>
        public string Trainer { get; }

        /// <summary>What distinguishes this contender's settings.</summary>
        public string Configuration { get; }

        internal IEstimator<ITransformer> CreateEstimator(MLContext ml) => _createEstimator(ml);
    }
}
