using System;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>
    /// Some rows of a data view, chosen by position, in the source's order: how a fold's training and test rows are
    /// taken from one loaded data set without copying it. Not shuffleable itself; pipelines cache it
    /// (AppendCacheCheckpoint) before the trainers that shuffle.
    /// </summary>
    internal sealed class RowSubsetDataView : IDataView
    {
        private readonly IDataView _source;
        private readonly bool[] _selected;
        private readonly long _count;

        /// <summary>The rows of <paramref name="source"/> at <paramref name="rows"/> (positions 0 to
        /// <paramref name="sourceRows"/> - 1; order and repeats do not matter).</summary>
        public RowSubsetDataView(IDataView source, IEnumerable<int> rows, int sourceRows)
        {
            _source = source;
            _selected = new bool[sourceRows];
            foreach (int row in rows)
                _selected[row] = true;
            _count = Array.FindAll(_selected, s => s).LongLength;
        }

        public bool CanShuffle => false;

        public DataViewSchema Schema => _source.Schema;

        public long? GetRowCount() => _count;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null) =>
            new Cursor(_source.GetRowCursor(columnsNeeded), _selected);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null) =>
            [GetRowCursor(columnsNeeded)];

        private sealed class Cursor : DataViewRowCursor
        {
            private readonly DataViewRowCursor _input;
            private readonly bool[] _selected;
            private long _position = -1;

            public Cursor(DataViewRowCursor input, bool[] selected)
            {
                _input = input;
                _selected = selected;
            }

            public override DataViewSchema Schema => _input.Schema;

            public override long Position => _position;

            public override long Batch => 0;

            public override bool MoveNext()
            {
                while (_input.MoveNext())
                {
                    if (_input.Position < _selected.Length && _selected[_input.Position])
                    {
                        _position++;
                        return true;
                    }
                }
                return false;
            }

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) => _input.GetGetter<TValue>(column);

            public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

            public override bool IsColumnActive(DataViewSchema.Column column) => _input.IsColumnActive(column);

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                    _input.Dispose();
                base.Dispose(disposing);
            }
        }
    }
}
