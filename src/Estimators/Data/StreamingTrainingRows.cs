using System;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Training rows too large for the memory budget, read from the IDataView in windows that fit it. The source is cut
    /// into chunks of consecutive rows, one window each; a shuffled pass visits the chunks in a new random order and
    /// shuffles the rows within each window, so no more than one window of rows is ever in memory. Reaching a chunk moves
    /// a cursor over the rows before it without reading their values (a cursor is reused when the next chunk follows).
    /// </summary>
    internal sealed class StreamingTrainingRows : TrainingRows
    {
        private readonly IHostEnvironment _env;
        private readonly IChannel _ch;
        private readonly IDataView _data;
        private readonly TrainingRowReader _reader;
        private readonly Tensor _window;
        private readonly long _sourceRows;
        private readonly long _chunkRows;
        private readonly long[] _labelledRowsPerChunk;
        private DataViewRowCursor _cursor;
        private long _cursorRow;
        private long? _rowCount;
        private FeatureScaler _scaler;

        public StreamingTrainingRows(IHostEnvironment env, IChannel ch, IDataView data, TrainingSchema schema, long sourceRows, long budgetBytes, int batchSize)
        {
            _env = env;
            _ch = ch;
            _data = data;
            _sourceRows = sourceRows;
            FeatureCount = schema.FeatureCount;
            OutputCount = schema.OutputCount;
            // Whole batches per window, so windows other than the last end on a batch boundary.
            long windowRows = Math.Max(budgetBytes / BytesPerRow(schema) / batchSize, 1) * batchSize;
            _chunkRows = Math.Min(windowRows, int.MaxValue / 2);
            _labelledRowsPerChunk = new long[(sourceRows + _chunkRows - 1) / _chunkRows];
            _reader = new TrainingRowReader(env, schema, _chunkRows);
            _window = NativeRows.Allocate(_chunkRows, schema.FeatureCount);
            ch.Info($"Streaming {_labelledRowsPerChunk.Length} chunks of up to {_chunkRows} rows.");
        }

        public override int FeatureCount { get; }

        public override int OutputCount { get; }

        public override long RowCount => _rowCount ?? _sourceRows;

        public override float LargestFeatureMagnitude => _reader.LargestMagnitude;

        /// <summary>Reads every chunk in order once, before training.</summary>
        public override FeatureStatistics ComputeStatistics(FitCancellation cancellation)
        {
            var statistics = new FeatureStatistics(FeatureCount);
            for (long chunk = 0; chunk < _labelledRowsPerChunk.Length; chunk++)
            {
                cancellation.ThrowIfCancelled();
                int rows = ReadChunk(chunk);
                using var features = _window.narrow(0, 0, rows);
                statistics.Add(features);
            }
            CountRowsOnce();
            return statistics;
        }

        public override void ScaleWith(FeatureScaler scaler) => _scaler = scaler;

        /// <summary>Native bytes per row: float features, an int64 label, a float weight.</summary>
        public static long BytesPerRow(TrainingSchema schema) => (long)schema.FeatureCount * sizeof(float) + sizeof(long) + sizeof(float);

        public override void ForEachBatch(BatchPass pass, Random random, FitCancellation cancellation, Action<TrainingBatch> step)
        {
            int chunks = _labelledRowsPerChunk.Length;
            long[] chunkOrder = pass.Shuffle ? BatchPlan.RandomOrder(chunks, random) : BatchPlan.InOrder(chunks);
            int number = 0;
            foreach (long chunk in chunkOrder)
            {
                cancellation.ThrowIfCancelled();
                int rows = ReadChunk(chunk);
                if (rows == 0)
                    continue;
                using var labels = _reader.Targets.ToTensor(rows);
                using var weights = _reader.WeightTensor(rows);
                using var features = _window.narrow(0, 0, rows);
                _scaler?.ApplyInPlace(features);
                ForEachBatchOf(features, labels, weights, pass, random, cancellation, wholePass: false, ref number, step);
            }
            CountRowsOnce();
        }

        /// <summary>After the first pass, when every row has been read once: the checks the in-memory path makes before training.</summary>
        private void CountRowsOnce()
        {
            if (_rowCount != null)
                return;
            _rowCount = 0;
            foreach (long rows in _labelledRowsPerChunk)
                _rowCount += rows;
            _reader.CheckAllRows(_ch, _rowCount.Value);
        }

        /// <summary>Reads chunk <paramref name="chunk"/> into the window; returns its rows with a label.</summary>
        private int ReadChunk(long chunk)
        {
            long first = chunk * _chunkRows;
            if (_cursor is null || _cursorRow > first)
            {
                _cursor?.Dispose();
                _cursor = _data.GetRowCursor(_reader.Columns);
                _cursorRow = 0;
            }
            for (; _cursorRow < first; _cursorRow++)
            {
                if (!_cursor.MoveNext())
                    throw _env.Except($"The training data ended at row {_cursorRow}, before its row count ({_sourceRows}).");
            }
            long sourceRows = Math.Min(_chunkRows, _sourceRows - first);
            int rows = (int)_reader.Read(_cursor, _window, sourceRows);
            _cursorRow += sourceRows;
            _labelledRowsPerChunk[chunk] = rows;
            return rows;
        }

        public override void Dispose()
        {
            _cursor?.Dispose();
            _window.Dispose();
        }
    }
}
