using System;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.BatchNorm
{
    /// <summary>Reads the feature vector of a row or cursor's current row as dense values, checking its length (a column
    /// of unknown vector size is only checked here).</summary>
    internal sealed class FeatureReader
    {
        private readonly string _columnName;
        private readonly ValueGetter<VBuffer<float>> _getFeatures;
        private readonly float[] _dense;
        private VBuffer<float> _features;

        public FeatureReader(DataViewRow input, DataViewSchema.Column featureColumn, int inputCount)
        {
            _columnName = featureColumn.Name;
            _getFeatures = input.GetGetter<VBuffer<float>>(featureColumn);
            _dense = new float[inputCount];
        }

        /// <summary>The current row's features; valid until the next call.</summary>
        /// <param name="position">The row's position, for the error message.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // see RowScorer.ScoreCurrentRow
        public ReadOnlySpan<float> Read(long position)
        {
            _getFeatures(ref _features);
            if (_features.Length != _dense.Length)
                throw new InvalidOperationException(ColumnChecks.RowLengthMismatch(_columnName, position, _dense.Length, _features.Length));
            if (_features.IsDense)
                return _features.GetValues();
            _features.CopyTo(_dense);
            return _dense;
        }
    }
}
