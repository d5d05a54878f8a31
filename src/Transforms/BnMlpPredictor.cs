using System;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Scores feature vectors with a trained BN-MLP directly, without an IDataView or a
    /// <see cref="Microsoft.ML.PredictionEngine{TSrc, TDst}"/>: the same folded network and the same scores, bit for bit.
    /// Holds its own scratch memory, so predicting allocates nothing; not thread safe (one per thread, like a
    /// PredictionEngine).
    /// </summary>
    public sealed class BnMlpPredictor
    {
        private readonly FoldedNetwork _network;
        private readonly FoldedNetwork.Workspace _workspace;
        private readonly bool _softmax;

        /// <summary>Creates a predictor for <paramref name="transformer"/>'s model.</summary>
        public BnMlpPredictor(BnMlpTransformerBase transformer)
        {
            ArgumentNullException.ThrowIfNull(transformer);
            _network = transformer.Model.Network;
            _workspace = new FoldedNetwork.Workspace(_network);
            _softmax = transformer is BnMlpMulticlassTransformer;
        }

        /// <summary>Length of the feature vector.</summary>
        public int InputCount => _network.InputCount;

        /// <summary>Length of the scores: the classes of a classifier, 1 for a regressor.</summary>
        public int OutputCount => _network.OutputCount;

        /// <summary>Writes the scores of one row: class probabilities (in the label's key order) or the regression value.</summary>
        /// <exception cref="ArgumentException">A span has the wrong length.</exception>
        public void Predict(ReadOnlySpan<float> features, Span<float> scores)
        {
            if (features.Length != InputCount)
                throw new ArgumentException($"Expected {InputCount} features, found {features.Length}.", nameof(features));
            if (scores.Length != OutputCount)
                throw new ArgumentException($"Expected room for {OutputCount} scores, found {scores.Length}.", nameof(scores));
            _network.Predict(features, scores, _workspace);
            if (_softmax)
                FoldedNetwork.Softmax(scores);
        }
    }
}
