using System;
using System.Numerics.Tensors;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Scores the current row of one cursor or row, once per position however many getters ask. Owns its buffers,
    /// so scoring allocates nothing; not thread safe (one per cursor, as ML.NET's getters are).
    /// </summary>
    internal sealed class RowScorer
    {
        private readonly FoldedNetwork _network;
        private readonly DataViewRow _input;
        private readonly string _featureColumnName;
        private readonly ValueGetter<VBuffer<float>> _getFeatures;
        private readonly FoldedNetwork.Workspace _workspace;
        private readonly float[] _denseFeatures;
        private readonly float[] _outputs;
        private readonly bool _softmax;
        private VBuffer<float> _features;
        private long _scoredPosition = -1;

        /// <param name="network">The folded network.</param>
        /// <param name="input">The row or cursor whose current row is scored.</param>
        /// <param name="featureColumn">The feature column of <paramref name="input"/>.</param>
        /// <param name="softmax">True for class probabilities (softmax of the logits), false for the raw outputs (regression).</param>
        public RowScorer(FoldedNetwork network, DataViewRow input, DataViewSchema.Column featureColumn, bool softmax)
        {
            _network = network;
            _input = input;
            _featureColumnName = featureColumn.Name;
            _getFeatures = input.GetGetter<VBuffer<float>>(featureColumn);
            _workspace = new FoldedNetwork.Workspace(network);
            _denseFeatures = new float[network.InputCount];
            _outputs = new float[network.OutputCount];
            _softmax = softmax;
        }

        /// <summary>The class probabilities (a classifier's <c>Score</c> column).</summary>
        public void GetScores(ref VBuffer<float> dst)
        {
            ScoreCurrentRow();
            var editor = VBufferEditor.Create(ref dst, _outputs.Length);
            _outputs.CopyTo(editor.Values);
            dst = editor.Commit();
        }

        /// <summary>The most probable class as a key (a classifier's <c>PredictedLabel</c> column).</summary>
        public void GetPredictedLabel(ref uint dst)
        {
            ScoreCurrentRow();
            int best = TensorPrimitives.IndexOfMax(_outputs);
            // Keys count from 1; 0 is the missing value, the answer for a row whose scores are NaN.
            dst = float.IsNaN(_outputs[best]) ? 0 : (uint)best + 1;
        }

        /// <summary>The single output (a regressor's <c>Score</c> column).</summary>
        public void GetScore(ref float dst)
        {
            ScoreCurrentRow();
            dst = _outputs[0];
        }

        private void ScoreCurrentRow()
        {
            long position = _input.Position;
            if (position == _scoredPosition)
                return;
            _getFeatures(ref _features);
            if (_features.Length != _network.InputCount)
                throw new InvalidOperationException(
                    $"Feature column '{_featureColumnName}', row {position}: expected a vector of {_network.InputCount} values, found {_features.Length}.");
            ReadOnlySpan<float> features;
            if (_features.IsDense)
            {
                features = _features.GetValues();
            }
            else
            {
                _features.CopyTo(_denseFeatures);
                features = _denseFeatures;
            }
            _network.Predict(features, _outputs, _workspace);
            if (_softmax)
                FoldedNetwork.Softmax(_outputs);
            _scoredPosition = position;
        }
    }
}
