using System;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>The rows of a float tensor in native memory as managed spans, for loops that read or rewrite every value
    /// once without tensor temporaries.</summary>
    internal static class NativeRows
    {
        /// <summary>About 1 MB per block: a span holds at most int.MaxValue bytes, and a block this size stays in the
        /// processor's cache for a second loop over it.</summary>
        private const long BlockBytes = 1 << 20;

        /// <summary>Hands the rows of <paramref name="rows"/> [rows, features] (contiguous float32) to
        /// <paramref name="action"/>, a block of whole rows at a time, in order; the span is valid during the call.</summary>
        public static void ForEachBlock(Tensor rows, Action<Span<float>> action)
        {
            long count = rows.shape[0];
            long rowBytes = rows.shape[1] * sizeof(float);
            long rowsPerBlock = Math.Max(1, BlockBytes / rowBytes);
            for (long start = 0; start < count; start += rowsPerBlock)
            {
                using var block = rows.narrow(0, start, Math.Min(rowsPerBlock, count - start));
                action(MemoryMarshal.Cast<byte, float>(block.bytes));
            }
        }
    }
}
