using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.BatchNorm.TestSupport;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>
    /// A lazily generated IDataView of digit-like rows, as large as asked, that holds none of them: row r's label and its
    /// 784 features are computed from r when a getter asks (class prototype plus uniform noise from a hash of r), so
    /// moving a cursor costs nothing and reading a row is the same wherever and however often it is read.
    /// </summary>
    internal sealed class SyntheticDigits : IDataView
    {
        public const int Classes = 10, Features = 784;
        private const float NoiseAmplitude = 8f;

        private readonly float[][] _prototypes;
        private readonly long _firstRow;
        private readonly long _rows;

        /// <param name="rows">Number of rows.</param>
        /// <param name="firstRow">Index of the first row: views with different offsets hold different rows of the same classes.</param>
        public SyntheticDigits(long rows, long firstRow = 0)
        {
            _rows = rows;
            _firstRow = firstRow;
            var random = new Random(7);
            _prototypes = Enumerable.Range(0, Classes).Select(_ => Enumerable.Range(0, Features).Select(_ => random.NextSingle()).ToArray()).ToArray();
            var builder = new DataViewSchema.Builder();
            builder.AddColumn("Features", new VectorDataViewType(NumberDataViewType.Single, Features));
            builder.AddColumn("Label", new KeyDataViewType(typeof(uint), Classes));
            Schema = builder.ToSchema();
        }

        public bool CanShuffle => false;

        public DataViewSchema Schema { get; }

        /// <summary>Bytes the rows' features take as float32.</summary>
        public long FeatureBytes => _rows * Features * sizeof(float);

        public long? GetRowCount() => _rows;

        public DataViewRowCursor GetRowCursor(IEnumerable<DataViewSchema.Column> columnsNeeded, Random rand = null) => new Cursor(this);

        public DataViewRowCursor[] GetRowCursorSet(IEnumerable<DataViewSchema.Column> columnsNeeded, int n, Random rand = null) => [new Cursor(this)];

        private static ulong Hash(ulong x)
        {
            // SplitMix64's finalizer: consecutive inputs give independent-looking outputs.
            x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
            x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
            return x ^ (x >> 31);
        }

        private sealed class Cursor(SyntheticDigits view) : DataViewRowCursor
        {
            private long _position = -1;

            public override DataViewSchema Schema => view.Schema;

            public override long Position => _position;

            public override long Batch => 0;

            public override bool MoveNext() => ++_position < view._rows;

            public override bool IsColumnActive(DataViewSchema.Column column) => true;

            public override ValueGetter<DataViewRowId> GetIdGetter() =>
                (ref DataViewRowId id) => id = new DataViewRowId((ulong)_position, 0);

            public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column)
            {
                Delegate getter = column.Index == 0 ? (ValueGetter<VBuffer<float>>)GetFeatures : (ValueGetter<uint>)GetLabel;
                return (ValueGetter<TValue>)getter;
            }

            private ulong Row => (ulong)(view._firstRow + _position);

            private int Class => (int)(Hash(Row) % Classes);

            private void GetLabel(ref uint label) => label = (uint)Class + 1;

            private void GetFeatures(ref VBuffer<float> features)
            {
                var editor = VBufferEditor.Create(ref features, Features);
                var prototype = view._prototypes[Class];
                ulong state = Hash(Row ^ 0x9E3779B97F4A7C15UL);
                for (int j = 0; j < Features; j += 2)
                {
                    state = Hash(state + (ulong)j);
                    editor.Values[j] = prototype[j] + NoiseAmplitude * (2 * (uint)state / (float)uint.MaxValue - 1);
                    editor.Values[j + 1] = prototype[j + 1] + NoiseAmplitude * (2 * (uint)(state >> 32) / (float)uint.MaxValue - 1);
                }
                features = editor.Commit();
            }
        }
    }
}
