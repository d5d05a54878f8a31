using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The per-feature scaling a BN-MLP applies to its input before anything else, fitted on the training rows:
    /// <c>z = (x - Shift) * Scale</c>, then, with <see cref="SmoothClip"/>, <c>z / sqrt(1 + (z / 3)²)</c>, which leaves
    /// small values almost unchanged and bends outliers towards ±3 (RealMLP's smooth clipping, Holzmüller et al. 2024).
    /// </summary>
    /// <remarks>
    /// Without the clip the scaling is affine, and scoring folds it into the first dense layer (no cost per row, and the
    /// ONNX export writes it inside the first Gemm). With the clip, scoring applies it to the features before the first layer.
    /// </remarks>
    public sealed class InputScalingParameters
    {
        /// <summary>Scaled values beyond this are clipped to ±3 by <see cref="SmoothClipValue"/>: (B / 3)² + 1 rounds to
        /// (B / 3)² in float, so the formula gives exactly 3 there, and squaring never overflows.</summary>
        internal const float ClipInputBound = 3f * 4294967296f;

        private readonly float[] _shift;
        private readonly float[] _scale;

        /// <summary>Creates scaling parameters; the arrays are copied.</summary>
        /// <param name="shift">Subtracted from each feature (its mean or median); finite.</param>
        /// <param name="scale">Multiplies each shifted feature; finite and not negative (0 ignores a feature, as the
        /// trainer does for constant ones).</param>
        /// <param name="smoothClip">Whether the scaled values are smooth-clipped.</param>
        public InputScalingParameters(float[] shift, float[] scale, bool smoothClip)
        {
            ArgumentNullException.ThrowIfNull(shift);
            ArgumentNullException.ThrowIfNull(scale);
            if (shift.Length == 0)
                throw new ArgumentException("Input scaling needs at least one feature.", nameof(shift));
            if (scale.Length != shift.Length)
                throw new ArgumentException($"Expected {shift.Length} scales (one per feature), found {scale.Length}.", nameof(scale));
            ModelChecks.CheckFinite(shift, nameof(shift));
            for (int i = 0; i < scale.Length; i++)
            {
                if (!(scale[i] >= 0) || float.IsInfinity(scale[i]))
                    throw new ArgumentException($"The scale of feature {i} must be finite and not negative, found {scale[i]}.", nameof(scale));
            }
            _shift = (float[])shift.Clone();
            _scale = (float[])scale.Clone();
            SmoothClip = smoothClip;
        }

        /// <summary>Number of features.</summary>
        public int FeatureCount => _shift.Length;

        /// <summary>Subtracted from each feature.</summary>
        public IReadOnlyList<float> Shift => _shift;

        /// <summary>Multiplies each shifted feature; 0 for a feature the model ignores (constant in the training rows).</summary>
        public IReadOnlyList<float> Scale => _scale;

        /// <summary>Whether the scaled values are smooth-clipped: <c>z / sqrt(1 + (z / 3)²)</c>.</summary>
        public bool SmoothClip { get; }

        internal ReadOnlySpan<float> ShiftSpan => _shift;
        internal ReadOnlySpan<float> ScaleSpan => _scale;

        /// <summary><c>z / sqrt(1 + (z / 3)²)</c>, with z bounded first so the square stays finite.</summary>
        internal static float SmoothClipValue(float z)
        {
            float c = Math.Clamp(z, -ClipInputBound, ClipInputBound);
            float t = c * (1f / 3f);
            return c / MathF.Sqrt(1f + t * t);
        }

        /// <summary><see cref="SmoothClipValue"/> on every lane, with the same float operations in the same order (IEEE
        /// square root and division are exact), so each value gets the same bits: what the trainer's scaling and the
        /// scorer's both run, so the network trains on the values it scores.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        internal static Vector512<float> SmoothClipValues(Vector512<float> z)
        {
            var bound = Vector512.Create(ClipInputBound);
            var c = Vector512.Min(Vector512.Max(z, -bound), bound);
            var t = c * (1f / 3f);
            return c / Vector512.Sqrt(Vector512<float>.One + t * t);
        }
    }
}
