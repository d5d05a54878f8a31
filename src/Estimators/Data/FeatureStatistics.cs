using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Per-feature mean and population variance of the training rows, accumulated in double block by block: each block's
    /// mean and sum of squared deviations are computed in double from its float values, then merged with Chan et al.'s
    /// pairwise update, so neither a large offset nor many rows cost precision (features up to ±3e38 square to at most
    /// 1e77, far inside double's range). Managed vector loops over the rows where they lie: no double copy of the data
    /// in native memory, whose fresh pages cost more than the arithmetic.
    /// </summary>
    internal sealed class FeatureStatistics
    {
        /// <summary>A standard deviation below this is treated as 0: its reciprocal would overflow a float scale, and
        /// folding it into the first layer would overflow the weights.</summary>
        private const double SmallestStandardDeviation = 1e-30;

        /// <summary>A standard deviation below this fraction of the mean's magnitude (2^-20, about eight float ulps) is
        /// float rounding, not signal: the feature is treated as constant.</summary>
        private const double SmallestRelativeDeviation = 1.0 / (1 << 20);

        private readonly double[] _mean;
        private readonly double[] _squaredDeviations;
        private readonly double[] _blockMean;
        private readonly double[] _blockSquares;
        private long _count;

        public FeatureStatistics(int featureCount)
        {
            _mean = new double[featureCount];
            _squaredDeviations = new double[featureCount];
            _blockMean = new double[featureCount];
            _blockSquares = new double[featureCount];
        }

        public int FeatureCount => _mean.Length;

        /// <summary>Adds the rows of <paramref name="rows"/> [rows, features] (contiguous float32), block by block.</summary>
        public void Add(Tensor rows) => NativeRows.ForEachBlock(rows, block => Add(block));

        /// <summary>Adds a block of rows, <paramref name="rows"/> holding them one after the other (a multiple of
        /// <see cref="FeatureCount"/> values).</summary>
        public void Add(ReadOnlySpan<float> rows)
        {
            int features = _mean.Length;
            long n = rows.Length / features;
            if (n == 0)
                return;
            Array.Clear(_blockMean);
            Array.Clear(_blockSquares);
            for (int start = 0; start < rows.Length; start += features)
                AddWidened(rows.Slice(start, features), _blockMean);
            for (int i = 0; i < features; i++)
                _blockMean[i] /= n;
            for (int start = 0; start < rows.Length; start += features)
                AddSquaredDeviations(rows.Slice(start, features), _blockMean, _blockSquares);
            Merge(_blockMean, _blockSquares, n);
        }

        /// <summary>Adds the rows <paramref name="other"/> has seen.</summary>
        public void Add(FeatureStatistics other)
        {
            if (other._count > 0)
                Merge(other._mean, other._squaredDeviations, other._count);
        }

        /// <summary>Adds the statistics of <paramref name="n"/> further rows, their means and sums of squared deviations from
        /// them (Chan et al.'s pairwise update).</summary>
        private void Merge(ReadOnlySpan<double> mean, ReadOnlySpan<double> squaredDeviations, long n)
        {
            double total = _count + n;
            for (int i = 0; i < _mean.Length; i++)
            {
                double delta = mean[i] - _mean[i];
                _mean[i] += delta * (n / total);
                _squaredDeviations[i] += squaredDeviations[i] + delta * delta * (_count * (double)n / total);
            }
            _count += n;
        }

        /// <summary>sums += row, in double.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void AddWidened(ReadOnlySpan<float> row, Span<double> sums)
        {
            int i = 0;
            for (; i + Vector<float>.Count <= row.Length; i += Vector<float>.Count)
            {
                Vector.Widen(new Vector<float>(row[i..]), out var low, out var high);
                var lowSums = sums[i..];
                var highSums = sums[(i + Vector<double>.Count)..];
                (new Vector<double>(lowSums) + low).CopyTo(lowSums);
                (new Vector<double>(highSums) + high).CopyTo(highSums);
            }
            for (; i < row.Length; i++)
                sums[i] += row[i];
        }

        /// <summary>squares += (row - mean)², in double.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void AddSquaredDeviations(ReadOnlySpan<float> row, ReadOnlySpan<double> mean, Span<double> squares)
        {
            int i = 0;
            for (; i + Vector<float>.Count <= row.Length; i += Vector<float>.Count)
            {
                Vector.Widen(new Vector<float>(row[i..]), out var low, out var high);
                var lowSquares = squares[i..];
                var highSquares = squares[(i + Vector<double>.Count)..];
                var lowDeviation = low - new Vector<double>(mean[i..]);
                var highDeviation = high - new Vector<double>(mean[(i + Vector<double>.Count)..]);
                (new Vector<double>(lowSquares) + lowDeviation * lowDeviation).CopyTo(lowSquares);
                (new Vector<double>(highSquares) + highDeviation * highDeviation).CopyTo(highSquares);
            }
            for (; i < row.Length; i++)
            {
                double deviation = row[i] - mean[i];
                squares[i] += deviation * deviation;
            }
        }

        /// <summary>The scaling of <paramref name="mode"/> from the rows added, or null for <see cref="BnMlpInputScaling.None"/>.</summary>
        public InputScalingParameters ToScaling(BnMlpInputScaling mode)
        {
            if (mode == BnMlpInputScaling.None)
                return null;
            if (_count == 0)
                throw new InvalidOperationException("No rows were added to the feature statistics.");
            var shift = new float[_mean.Length];
            var scale = new float[_mean.Length];
            for (int i = 0; i < shift.Length; i++)
            {
                double std = Math.Sqrt(_squaredDeviations[i] / _count);
                // A constant feature is ignored (shift 0, scale 0: z = 0 for every finite x). Centering it with scale 1
                // would also give 0 in training, but folded into the first layer a large constant cancels against its
                // own shift in the bias, leaving float rounding of its magnitude (1e23 for a constant 1e30) in every score.
                bool constant = std < SmallestStandardDeviation || std < Math.Abs(_mean[i]) * SmallestRelativeDeviation;
                shift[i] = constant ? 0f : (float)_mean[i];
                scale[i] = constant ? 0f : (float)(1 / std);
            }
            return new InputScalingParameters(shift, scale, mode == BnMlpInputScaling.StandardSmoothClip);
        }
    }
}
