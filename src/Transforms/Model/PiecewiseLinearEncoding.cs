using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The piecewise-linear encoding of numeric features a BN-MLP can apply to its input first (Gorishniy et al. 2022, "On
    /// Embeddings for Numerical Features in Tabular Deep Learning"): a feature with bin edges <c>e0 &lt; e1 &lt; … &lt; eT</c>
    /// (quantiles of the training rows) becomes T values, the k-th <c>clamp((x - e(k-1)) / (e(k) - e(k-1)), 0, 1)</c>: how far
    /// <c>x</c> has filled bin k. The network then sees thresholds as a tree does. A feature without edges (too few
    /// distinct values for two bins, such as a one-hot column) passes through as it is.
    /// </summary>
    public sealed class PiecewiseLinearEncoding
    {
        private readonly float[][] _edges;

        // Per encoded value, op for op what the ONNX export writes: min(max((x[source] - lower) * inverseWidth, low), high).
        private readonly int[] _source;
        private readonly float[] _lower;
        private readonly float[] _inverseWidth;
        private readonly float[] _low;
        private readonly float[] _high;

        /// <summary>Creates the encoding; the arrays are copied.</summary>
        /// <param name="edges">Per feature, its bin edges (at least three, finite, increasing, each bin's 1 / width finite), or
        /// null or empty to pass the feature through.</param>
        public PiecewiseLinearEncoding(float[][] edges)
        {
            ArgumentNullException.ThrowIfNull(edges);
            if (edges.Length == 0)
                throw new ArgumentException("The encoding needs at least one feature.", nameof(edges));
            _edges = new float[edges.Length][];
            var source = new List<int>();
            var lower = new List<float>();
            var inverseWidth = new List<float>();
            var low = new List<float>();
            var high = new List<float>();
            void Add(int feature, float lowerEdge, float inverse, float lowest, float highest)
            {
                source.Add(feature);
                lower.Add(lowerEdge);
                inverseWidth.Add(inverse);
                low.Add(lowest);
                high.Add(highest);
            }
            for (int j = 0; j < edges.Length; j++)
            {
                var e = edges[j] is { Length: > 0 } given ? (float[])given.Clone() : [];
                _edges[j] = e;
                if (e.Length == 0)
                {
                    // (x - 0) * 1, bounded by ±infinity, is x itself.
                    Add(j, 0, 1, float.NegativeInfinity, float.PositiveInfinity);
                    continue;
                }
                if (e.Length < 3)
                    throw new ArgumentException($"Feature {j} has {e.Length} bin edges; an encoded feature needs at least 3 (two bins).", nameof(edges));
                for (int k = 1; k < e.Length; k++)
                {
                    float inverse = 1f / (e[k] - e[k - 1]);
                    if (!float.IsFinite(e[k - 1]) || !float.IsFinite(e[k]) || !(e[k] > e[k - 1]) || !float.IsFinite(inverse))
                        throw new ArgumentException($"The bin edges of feature {j} must be finite and increasing by more than float rounding; found {e[k - 1]} then {e[k]}.", nameof(edges));
                    Add(j, e[k - 1], inverse, 0, 1);
                }
            }
            _source = source.ToArray();
            _lower = lower.ToArray();
            _inverseWidth = inverseWidth.ToArray();
            _low = low.ToArray();
            _high = high.ToArray();
        }

        /// <summary>Number of features read.</summary>
        public int FeatureCount => _edges.Length;

        /// <summary>Number of values written: the first layer's inputs.</summary>
        public int EncodedCount => _source.Length;

        /// <summary>Per feature, its bin edges; empty for a feature passed through.</summary>
        public IReadOnlyList<IReadOnlyList<float>> Edges => _edges;

        internal ReadOnlySpan<int> SourceSpan => _source;
        internal ReadOnlySpan<float> LowerSpan => _lower;
        internal ReadOnlySpan<float> InverseWidthSpan => _inverseWidth;
        internal ReadOnlySpan<float> LowSpan => _low;
        internal ReadOnlySpan<float> HighSpan => _high;

        internal ReadOnlySpan<float> EdgesOf(int feature) => _edges[feature];

        /// <summary>Writes the <see cref="EncodedCount"/> values of one row's <see cref="FeatureCount"/> features.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        internal void Encode(ReadOnlySpan<float> features, Span<float> encoded)
        {
            if (features.Length < FeatureCount || encoded.Length < EncodedCount)
                throw new ArgumentException($"Expected {FeatureCount} features and room for {EncodedCount} values.", nameof(encoded));
            var source = _source;
            var lower = _lower;
            var inverseWidth = _inverseWidth;
            var low = _low;
            var high = _high;
            for (int i = 0; i < source.Length; i++)
                encoded[i] = MathF.Min(MathF.Max((features[source[i]] - lower[i]) * inverseWidth[i], low[i]), high[i]);
        }
    }
}
