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
        private readonly float[] _probabilities;
        private VBuffer<float> _features;
        private long _scoredPosition = -1;

        public RowScorer(FoldedNetwork network, DataViewRow input, DataViewSchema.Column featureColumn)
        {
            _network = network;
            _input = input;
            _featureColumnName = featureColumn.Name;
            _getFeatures = input.GetGetter<VBuffer<float>>(featureColumn);
            _workspace = new FoldedNetwork.Workspace(network);
            _denseFeatures = new float[network.InputCount];
            _probabilities = new float[network.OutputCount];
        }

        public void GetScores(ref VBuffer<float> dst)
        {
            ScoreCurrentRow();
            var editor = VBufferEditor.Create(ref dst, _probabilities.Length);
            _probabilities.CopyTo(editor.Values);
            dst = editor.Commit();
        }

        public void GetPredictedLabel(ref uint dst)
        {
            ScoreCurrentRow();
            int best = TensorPrimitives.IndexOfMax(_probabilities);
            // Keys count from 1; 0 is the missing value, the answer for a row whose scores are NaN.
            dst = float.IsNaN(_probabilities[best]) ? 0 : (uint)best + 1;
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
            _network.Predict(features, _probabilities, _workspace);
            FoldedNetwork.Softmax(_probabilities);
            _scoredPosition = position;
        }
    }
}
