using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.BatchNorm
{
    /// <summary>The result of <see cref="BnMlpTransformerBase.Transform"/>: the input, scored as cursors move.</summary>
    internal sealed class ScoredDataView : IDataView
    {
        private readonly ScoringBindings _bindings;
        private readonly IDataView _source;

        public ScoredDataView(ScoringBindings bindings, IDataView source)
        {
            _bindings = bindings;
            _source = source;
        }

        public bool CanShuffle => _source.CanShuffle;

        public DataViewSchema Schema => _bindings.OutputSchema;

        public long? GetRowCount() => _source.GetRowCount();

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null)
        {
            var active = _bindings.ActiveMask(columnsNeeded);
            return new ScoredCursor(_bindings, _source.GetRowCursor(_bindings.InputColumnsFor(active), rand), active);
        }

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null)
        {
            var active = _bindings.ActiveMask(columnsNeeded);
            return _source.GetRowCursorSet(_bindings.InputColumnsFor(active), n, rand)
                .Select(cursor => (DataViewRowCursor)new ScoredCursor(_bindings, cursor, active))
                .ToArray();
        }

        /// <summary>Moves the input cursor; the scored row on top of it does the rest.</summary>
        private sealed class ScoredCursor : DataViewRowCursor
        {
            private readonly DataViewRowCursor _input;
            private readonly ScoredRow _row;

            public ScoredCursor(ScoringBindings bindings, DataViewRowCursor input, bool[] active)
            {
                _input = input;
                _row = new ScoredRow(bindings, input, active);
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
                    _input.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
