using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Applies <see cref="InputScalingParameters"/> to float feature tensors in place, with the float operations scoring
    /// uses (<c>(x - shift) * scale</c>, then the bounded smooth clip), so the network trains on the values it will score.
    /// One managed vector loop over the rows where they lie in native memory: a chain of tensor ops would write
    /// temporaries as large as the rows it scales, and fresh native pages cost more than the arithmetic.
    /// </summary>
    internal sealed class FeatureScaler(InputScalingParameters parameters)
    {
        public InputScalingParameters Parameters { get; } = parameters;

        /// <summary>Scales the rows of <paramref name="features"/> [rows, features] (contiguous float32) in place.</summary>
        public void ApplyInPlace(Tensor features)
        {
            int featureCount = Parameters.FeatureCount;
            NativeRows.ForEachBlock(features, block =>
            {
                for (int start = 0; start < block.Length; start += featureCount)
                    ScaleRow(block.Slice(start, featureCount));
            });
        }

        /// <summary>The vector loop does the scalar loop's float operations in the same order (IEEE square root and
        /// division are exact), so every value gets the same bits either way, and the bits scoring gives it.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ScaleRow(Span<float> row)
        {
            var shift = Parameters.ShiftSpan;
            var scale = Parameters.ScaleSpan;
            bool smoothClip = Parameters.SmoothClip;
            ref float x0 = ref MemoryMarshal.GetReference(row);
            ref float shift0 = ref MemoryMarshal.GetReference(shift);
            ref float scale0 = ref MemoryMarshal.GetReference(scale);
            int i = 0;
            for (; i + Vector512<float>.Count <= row.Length; i += Vector512<float>.Count)
            {
                var z = (Vector512.LoadUnsafe(ref x0, (nuint)i) - Vector512.LoadUnsafe(ref shift0, (nuint)i)) * Vector512.LoadUnsafe(ref scale0, (nuint)i);
                (smoothClip ? InputScalingParameters.SmoothClipValues(z) : z).StoreUnsafe(ref x0, (nuint)i);
            }
            for (; i < row.Length; i++)
            {
                float z = (row[i] - shift[i]) * scale[i];
                row[i] = smoothClip ? InputScalingParameters.SmoothClipValue(z) : z;
            }
        }
    }
}
