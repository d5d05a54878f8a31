using System;
using System.Collections.Generic;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// What one batch-normalization layer learned: the trained scale and shift, and the population statistics
    /// that replace the mini-batch statistics at inference, so that a row's output never depends on its batch.
    /// </summary>
    /// <remarks>
    /// Inference computes, per unit j: <c>gamma[j] * (x[j] - mean[j]) / sqrt(variance[j] + epsilon) + beta[j]</c>.
    /// </remarks>
    public sealed class BatchNormParameters
    {
        private readonly float[] _gamma;
        private readonly float[] _beta;
        private readonly float[] _mean;
        private readonly float[] _variance;

        /// <summary>Creates batch-normalization parameters; the arrays are copied.</summary>
        /// <param name="gamma">Trained scale, one per unit.</param>
        /// <param name="beta">Trained shift, one per unit.</param>
        /// <param name="mean">Population mean of the layer's input, one per unit.</param>
        /// <param name="variance">Population variance (unbiased) of the layer's input, one per unit; not negative.</param>
        /// <param name="epsilon">Added to the variance before the square root; positive.</param>
        public BatchNormParameters(float[] gamma, float[] beta, float[] mean, float[] variance, float epsilon)
        {
            ArgumentNullException.ThrowIfNull(gamma);
            ArgumentNullException.ThrowIfNull(beta);
            ArgumentNullException.ThrowIfNull(mean);
            ArgumentNullException.ThrowIfNull(variance);
            int units = gamma.Length;
            if (units == 0)
                throw new ArgumentException("Batch normalization needs at least one unit.", nameof(gamma));
            CheckLength(beta, units, nameof(beta));
            CheckLength(mean, units, nameof(mean));
            CheckLength(variance, units, nameof(variance));
            if (!(epsilon > 0) || float.IsInfinity(epsilon))
                throw new ArgumentOutOfRangeException(nameof(epsilon), epsilon, "Epsilon must be a positive finite number.");
            ModelChecks.CheckFinite(gamma, nameof(gamma));
            ModelChecks.CheckFinite(beta, nameof(beta));
            ModelChecks.CheckFinite(mean, nameof(mean));
            ModelChecks.CheckFinite(variance, nameof(variance));
            for (int j = 0; j < variance.Length; j++)
            {
                if (variance[j] < 0)
                    throw new ArgumentException($"Variance of unit {j} is negative ({variance[j]}).", nameof(variance));
            }

            _gamma = (float[])gamma.Clone();
            _beta = (float[])beta.Clone();
            _mean = (float[])mean.Clone();
            _variance = (float[])variance.Clone();
            Epsilon = epsilon;
        }

        /// <summary>Number of normalized units.</summary>
        public int UnitCount => _gamma.Length;

        /// <summary>Trained scale (gamma), one per unit.</summary>
        public IReadOnlyList<float> Gamma => _gamma;

        /// <summary>Trained shift (beta), one per unit.</summary>
        public IReadOnlyList<float> Beta => _beta;

        /// <summary>Population mean, one per unit.</summary>
        public IReadOnlyList<float> Mean => _mean;

        /// <summary>Population variance (unbiased), one per unit.</summary>
        public IReadOnlyList<float> Variance => _variance;

        /// <summary>Added to the variance before the square root.</summary>
        public float Epsilon { get; }

        /// <summary>What unit <paramref name="unit"/> multiplies its centred input by, <c>gamma / sqrt(var + eps)</c>: the
        /// factor every folding of this normalization into a dense layer uses (the input's and the hidden layers'). In
        /// double, which keeps a folded layer within float rounding of the unfolded one.</summary>
        internal double Scale(int unit) => _gamma[unit] / Math.Sqrt((double)_variance[unit] + Epsilon);

        internal ReadOnlySpan<float> GammaSpan => _gamma;
        internal ReadOnlySpan<float> BetaSpan => _beta;
        internal ReadOnlySpan<float> MeanSpan => _mean;
        internal ReadOnlySpan<float> VarianceSpan => _variance;

        private static void CheckLength(float[] values, int expected, string name)
        {
            if (values.Length != expected)
                throw new ArgumentException($"Expected {expected} values (one per unit), found {values.Length}.", name);
        }
    }
}
