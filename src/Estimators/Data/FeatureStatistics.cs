using System;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Per-feature mean and population variance of the training rows, accumulated in double chunk by chunk: each chunk's
    /// mean and sum of squared deviations are computed in double from its float values, then merged with Chan et al.'s
    /// pairwise update, so neither a large offset nor many rows cost precision (features up to ±3e38 square to at most
    /// 1e77, far inside double's range).
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
        private long _count;

        public FeatureStatistics(int featureCount)
        {
            _mean = new double[featureCount];
            _squaredDeviations = new double[featureCount];
        }

        /// <summary>Adds the rows of <paramref name="rows"/> [rows, features] (float32).</summary>
        public void Add(Tensor rows)
        {
            long n = rows.shape[0];
            if (n == 0)
                return;
            using var scope = NewDisposeScope();
            var values = rows.to_type(ScalarType.Float64);
            var mean = values.mean([0L]);
            var deviations = values.sub(mean);
            var squares = deviations.mul_(deviations).sum([0L]);
            var chunkMean = mean.data<double>().ToArray();
            var chunkSquares = squares.data<double>().ToArray();
            double total = _count + n;
            for (int i = 0; i < _mean.Length; i++)
            {
                double delta = chunkMean[i] - _mean[i];
                _mean[i] += delta * (n / total);
                _squaredDeviations[i] += chunkSquares[i] + delta * delta * (_count * (double)n / total);
            }
            _count += n;
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
