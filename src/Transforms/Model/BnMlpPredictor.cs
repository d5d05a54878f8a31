using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Scores feature vectors with a trained BN-MLP directly, without an IDataView or a
    /// <see cref="Microsoft.ML.PredictionEngine{TSrc, TDst}"/>: the same folded network and the same scores, bit for bit.
    /// Holds its own scratch memory, so predicting allocates nothing; not thread safe (one per thread, like a
    /// PredictionEngine). <see cref="Load(string)"/> reads the BN-MLP out of a saved pipeline's zip without ML.NET, for
    /// a process that must answer its first request fast and computes the features itself.
    /// </summary>
    public sealed class BnMlpPredictor
    {
        private readonly FoldedNetwork _network;
        private readonly FoldedNetwork.Workspace _workspace;
        private readonly BnMlpModelKind _kind;

        /// <summary>Creates a predictor for <paramref name="transformer"/>'s model.</summary>
        public BnMlpPredictor(BnMlpTransformerBase transformer)
            : this(transformer?.Model.Network ?? throw new ArgumentNullException(nameof(transformer)), transformer.Kind)
        {
        }

        private BnMlpPredictor(FoldedNetwork network, BnMlpModelKind kind)
        {
            _network = network;
            _workspace = new FoldedNetwork.Workspace(network);
            _kind = kind;
        }

        /// <summary>Reads the (first) BN-MLP multiclass or binary classifier or regressor saved in a model zip, without
        /// loading the rest of the pipeline or any of ML.NET: the caller computes the features the pipeline's earlier steps
        /// would have.</summary>
        /// <param name="path">A zip written by <c>mlContext.Model.Save</c> (or <c>SaveAtomically</c>).</param>
        /// <exception cref="InvalidDataException">The file is not a zip, holds no BN-MLP, or its BN-MLP is damaged.</exception>
        public static BnMlpPredictor Load(string path)
        {
            using var file = File.OpenRead(path);
            return Load(file, path);
        }

        /// <summary>Reads the (first) BN-MLP from a model zip's bytes; see <see cref="Load(string)"/>.</summary>
        /// <param name="zip">The zip; read, not closed.</param>
        /// <exception cref="InvalidDataException">The stream is not a zip, holds no BN-MLP, or its BN-MLP is damaged.</exception>
        public static BnMlpPredictor Load(Stream zip)
        {
            ArgumentNullException.ThrowIfNull(zip);
            return Load(zip, "the model stream");
        }

        private static BnMlpPredictor Load(Stream zip, string source)
        {
            var (model, format) = ModelZipReader.Read(zip, source);
            return new BnMlpPredictor(model.Network, format.Kind);
        }

        /// <summary>Length of the feature vector.</summary>
        public int InputCount => _network.InputCount;

        /// <summary>Length of the scores: the classes of a multiclass classifier, 1 for a binary classifier or a regressor.</summary>
        public int OutputCount => _network.OutputCount;

        /// <summary>
        /// Writes the scores of one row, probabilities for a classifier: a multiclass classifier's class probabilities (its
        /// <c>Score</c> column, in the label's key order); a binary classifier's probability of true (its <c>Probability</c>
        /// column; its <c>Score</c> is the logit ln(p / (1 - p)) and its <c>PredictedLabel</c> is whether that logit is
        /// positive, which is p &gt; 0.5 except for logits so close to 0 (below about 1e-7) that p rounds to 0.5); or a regressor's value.
        /// </summary>
        /// <exception cref="ArgumentException">A span has the wrong length.</exception>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // see RowScorer.ScoreCurrentRow
        public void Predict(ReadOnlySpan<float> features, Span<float> scores)
        {
            if (features.Length != InputCount)
                throw new ArgumentException($"Expected {InputCount} features, found {features.Length}.", nameof(features));
            if (scores.Length != OutputCount)
                throw new ArgumentException($"Expected room for {OutputCount} scores, found {scores.Length}.", nameof(scores));
            _network.Predict(features, scores, _workspace);
            if (_kind == BnMlpModelKind.Multiclass)
                FoldedNetwork.Softmax(scores);
            else if (_kind == BnMlpModelKind.Binary)
                scores[0] = FoldedNetwork.Sigmoid(scores[0]);
        }
    }
}
