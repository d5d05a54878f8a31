using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The result of <see cref="BnMlpTransformerBase.Transform"/>: the input, scored as cursors move. A data transform of
    /// its source that can save itself as ONNX: <c>mlContext.Model.ConvertToOnnx</c> walks a transformed view back through
    /// such transforms and asks each one for its nodes.
    /// </summary>
    internal sealed class ScoredDataView : ITransformCanSaveOnnx
    {
        private readonly ScoringBindings _bindings;
        private readonly IDataView _source;

        public ScoredDataView(ScoringBindings bindings, IDataView source)
        {
            _bindings = bindings;
            _source = source;
        }

        public bool CanShuffle => _source.CanShuffle;

        /// <summary>The unscored input.</summary>
        public IDataView Source => _source;

        public DataViewSchema Schema => _bindings.OutputSchema;

        public long? GetRowCount() => _source.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null)
        {
            var active = _bindings.ActiveMask(columnsNeeded);
            // Block scoring needs a second cursor that sees the rows in this cursor's order, which only unshuffled cursors
            // promise (a shuffled order is the Random's own); shuffled cursors score row by row, to the same values.
            if (rand != null || !_bindings.ScoresActive(active))
                return new ScoredCursor(_bindings, _source.GetRowCursor(_bindings.InputColumnsFor(active), rand), active, null);
            var blocks = new BlockScorer(_bindings.Network, _source, _bindings.FeatureColumn);
            var passThrough = _bindings.InputSchema.Where(c => active[c.Index]);
            return new ScoredCursor(_bindings, _source.GetRowCursor(passThrough), active, blocks);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null)
        {
            // The split cursors of a set see interleaved rows that no second cursor can mirror: they score row by row, in
            // parallel; a set of one is an ordinary cursor.
            if (n <= 1)
                return [GetRowCursor(columnsNeeded, rand)];
            var active = _bindings.ActiveMask(columnsNeeded);
            return _source.GetRowCursorSet(_bindings.InputColumnsFor(active), n, rand)
                .Select(cursor => (DataViewRowCursor)new ScoredCursor(_bindings, cursor, active, null))
                .ToArray();
        }

        /// <summary>Every BN-MLP is a chain of ops that ONNX has (Gemm, the activations, Softmax, ArgMax).</summary>
        public bool CanSaveOnnx(OnnxContext ctx) => true;

        public void SaveAsOnnx(OnnxContext ctx) => _bindings.Transformer.SaveAsOnnx(ctx, _bindings.FeatureColumn, _bindings.OutputSchema);

        /// <summary>A scored view is saved as its transformer (<c>mlContext.Model.Save</c>), which applies to any input; ML.NET
        /// asks data transforms to save themselves only in its legacy command-line pipelines.</summary>
        void ICanSaveModel.Save(ModelSaveContext ctx) =>
            throw new NotSupportedException("A BN-MLP's scored data view cannot be saved on its own: save the transformer or the whole model with mlContext.Model.Save.");

        /// <summary>Moves the input cursor; the scored row on top of it does the rest. Owns the input cursor and the
        /// block scorer, if any.</summary>
        private sealed class ScoredCursor : DataViewRowCursor
        {
            private readonly DataViewRowCursor _input;
            private readonly BlockScorer _blocks;
            private readonly ScoredRow _row;

            public ScoredCursor(ScoringBindings bindings, DataViewRowCursor input, bool[] active, BlockScorer blocks)
            {
                _input = input;
                _blocks = blocks;
                _row = new ScoredRow(bindings, input, active, blocks);
            }

            public override DataViewSchema Schema => _row.Schema;

            public override long Position => _input.Position;

            public override long Batch => _input.Batch;

            public override bool MoveNext() => _input.MoveNext();

            public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

            public override bool IsColumnActive(DataViewSchema.Column column) => _row.IsColumnActive(column);

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _row.GetGetter<TValue>(column);

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    _input.Dispose();
                    _blocks?.Dispose();
                }
                base.Dispose(disposing);
            }
        }
    }
}
