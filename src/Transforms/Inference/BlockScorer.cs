using System;
using Microsoft.ML;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The raw outputs of a cursor's rows, computed <see cref="BlockRows"/> rows at a time by
    /// <see cref="FoldedNetwork.PredictBatch"/>. The caller's cursor must stay at its row to serve the other columns, so a
    /// second cursor over the feature column alone reads ahead; without shuffling, all cursors of one view see the same rows
    /// in the same order (ML.NET's <see cref="IDataView"/> contract), so a position names the same row in both. The second
    /// cursor and the block's memory (about 270 KB) are made when the first score is asked for. Not thread safe: one per
    /// cursor.
    /// </summary>
    internal sealed class BlockScorer : IDisposable
    {
        /// <summary>Rows per block: their features (190 KB for 784 inputs) and the first layer's weights stay in L2; a
        /// whole number of <see cref="DenseLayer.TileRows"/>.</summary>
        public const int BlockRows = 60;

        private readonly FoldedNetwork _network;
        private readonly IDataView _source;
        private readonly DataViewSchema.Column _featureColumn;
        private DataViewRowCursor _cursor;
        private FoldedNetwork.BatchWorkspace _workspace;
        private float[] _outputs;
        private FeatureReader _features;
        private long _first;
        private int _count;

        /// <param name="network">The folded network.</param>
        /// <param name="source">The view whose rows are scored, with no shuffling.</param>
        /// <param name="featureColumn">The feature column of <paramref name="source"/>.</param>
        public BlockScorer(FoldedNetwork network, IDataView source, DataViewSchema.Column featureColumn)
        {
            _network = network;
            _source = source;
            _featureColumn = featureColumn;
        }

        public int OutputCount => _network.OutputCount;

        /// <summary>Writes the raw outputs of the row at <paramref name="position"/>; positions never decrease, as cursors
        /// only move forward.</summary>
        public void GetOutputs(long position, Span<float> outputs)
        {
            if (position >= _first + _count)
                ScoreBlockAt(position);
            _outputs.AsSpan((int)(position - _first) * OutputCount, OutputCount).CopyTo(outputs);
        }

        public void Dispose() => _cursor?.Dispose();

        private void ScoreBlockAt(long position)
        {
            if (_cursor == null)
            {
                _cursor = _source.GetRowCursor([_featureColumn]);
                _features = new FeatureReader(_cursor, _featureColumn, _network.InputCount);
                _workspace = new FoldedNetwork.BatchWorkspace(_network, BlockRows);
                _outputs = new float[BlockRows * _network.OutputCount];
            }
            // Rows skipped by the caller without asking for their scores are skipped here too, unread.
            while (_cursor.Position < position)
            {
                if (!_cursor.MoveNext())
                    throw new InvalidOperationException($"The feature cursor ended before row {position}: the source's cursors do not see the same rows.");
            }
            _first = position;
            _count = 0;
            do
            {
                _workspace.SetRow(_count, _features.Read(_cursor.Position));
                _count++;
            }
            while (_count < BlockRows && _cursor.MoveNext());
            _network.PredictBatch(_count, _outputs, _workspace);
        }
    }
}
