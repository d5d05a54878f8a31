using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The batch path: tiles of <see cref="TileRows"/> rows by up to <see cref="TileVectors"/> vectors of units, up to
    /// twenty-four accumulators kept in registers across all inputs, so each weight vector loaded serves six rows (tiles
    /// of four rows load each weight vector from L2 1.5 times as often, and were 8-10 % slower on Fashion-MNIST). Every unit of every
    /// row is summed as in <see cref="Apply"/>: the bias, then one fused multiply-add per input in ascending input order.
    /// The single-row kernel skips the zero inputs of a sparse row and multiplies those of a dense row in; a tile skips
    /// only the inputs that are zero in all its rows and multiplies the other rows' zeros in, and once a tile had few
    /// such inputs, the batch's later tiles skip none.
    /// Adding <c>w * 0</c> (w finite) leaves a sum unchanged except for the sign of a zero sum, which changes no later sum,
    /// activation or softmax as a number, and the network's outputs are turned from -0 to +0 (<see cref="FoldedNetwork"/>):
    /// a row's scores are bit-identical in both paths. So is adding <c>0 * x</c> (x finite): both paths sum only the inputs
    /// within their block's range of non-zero weights (<see cref="_tileInputs"/>, <see cref="_blockInputs"/>), a tile's blocks
    /// being narrower than a row's.
    /// </summary>
    internal sealed partial class DenseLayer
    {
        /// <summary>Rows computed together; a batch is a whole number of tiles.</summary>
        public const int TileRows = 6;

        private const int TileVectors = 4;

        /// <summary>The share of a tile's inputs found non-zero from which the batch's later tiles skip none. Six rows of
        /// Fashion-MNIST have 84 % of their pixels non-zero in at least one row; from 0.75 on, <c>Transform</c> ran 3-5 %
        /// faster on Fashion-MNIST and on mnist10k than finding every tile's zeros (0.5 and 0.875 gained less).</summary>
        private const double DenseTileFraction = 0.75;

        /// <summary>Writes the activations of <paramref name="rows"/> rows (a multiple of <see cref="TileRows"/>) to
        /// <paramref name="output"/>, row-major with a stride of <see cref="PaddedOutputCount"/>.</summary>
        /// <param name="input">Row-major inputs, <paramref name="inputStride"/> apart; the first <see cref="InputCount"/> of each row are read.</param>
        /// <param name="inputStride">Distance between the starts of two rows of <paramref name="input"/>.</param>
        /// <param name="rows">Number of rows.</param>
        /// <param name="output">Row-major activations, <c>rows * PaddedOutputCount</c> long.</param>
        /// <param name="nonZeroIndices">Scratch for the inputs a tile does not skip, at least <see cref="InputCount"/> long.</param>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void ApplyBatch(ReadOnlySpan<float> input, int inputStride, int rows, Span<float> output, Span<int> nonZeroIndices)
        {
            bool gather = true;
            for (int row = 0; row < rows; row += TileRows)
            {
                var tileInput = input.Slice(row * inputStride, (TileRows - 1) * inputStride + InputCount);
                var tileOutput = output.Slice(row * PaddedOutputCount, TileRows * PaddedOutputCount);
                ReadOnlySpan<int> indices = _allInputs;
                if (gather)
                {
                    int count = GatherTileNonZeros(tileInput, inputStride, nonZeroIndices);
                    indices = nonZeroIndices[..count];
                    // Where a tile keeps most of its inputs, finding the zeros of the next ones costs more than
                    // skipping them saves: the rest of the batch sums every input.
                    gather = count < InputCount * DenseTileFraction;
                }
                for (int start = 0; start < PaddedOutputCount; start += TileVectors * Lanes)
                {
                    var (first, end) = _tileInputs[start / (TileVectors * Lanes)];
                    // A dense layer's blocks read every input: no search.
                    var blockIndices = first == 0 && end == InputCount ? indices : indices[LowerBound(indices, first)..LowerBound(indices, end)];
                    switch (Math.Min(TileVectors, (PaddedOutputCount - start) / Lanes))
                    {
                        case 1: AccumulateTile<One>(tileInput, inputStride, blockIndices, start, tileOutput); break;
                        case 2: AccumulateTile<Two>(tileInput, inputStride, blockIndices, start, tileOutput); break;
                        case 3: AccumulateTile<Three>(tileInput, inputStride, blockIndices, start, tileOutput); break;
                        default: AccumulateTile<Four>(tileInput, inputStride, blockIndices, start, tileOutput); break;
                    }
                }
                for (int r = 0; r < TileRows; r++)
                    Activate(tileOutput.Slice(r * PaddedOutputCount, OutputCount));
            }
        }

        /// <summary>The inputs that are not +0 in at least one row of the tile, in ascending order (the OR of the rows'
        /// bits, so that a vector of zeros in all rows is skipped with one comparison).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private int GatherTileNonZeros(ReadOnlySpan<float> tile, int stride, Span<int> indices)
        {
            ref int x0 = ref Unsafe.As<float, int>(ref MemoryMarshal.GetReference(tile));
            ref int x1 = ref Unsafe.Add(ref x0, stride);
            ref int x2 = ref Unsafe.Add(ref x1, stride);
            ref int x3 = ref Unsafe.Add(ref x2, stride);
            ref int x4 = ref Unsafe.Add(ref x3, stride);
            ref int x5 = ref Unsafe.Add(ref x4, stride);
            int count = 0, i = 0;
            for (; i + Vector<int>.Count <= InputCount; i += Vector<int>.Count)
            {
                var any = Vector.LoadUnsafe(ref x0, (nuint)i) | Vector.LoadUnsafe(ref x1, (nuint)i) | Vector.LoadUnsafe(ref x2, (nuint)i)
                    | Vector.LoadUnsafe(ref x3, (nuint)i) | Vector.LoadUnsafe(ref x4, (nuint)i) | Vector.LoadUnsafe(ref x5, (nuint)i);
                if (any == Vector<int>.Zero)
                    continue;
                for (int j = 0; j < Vector<int>.Count; j++)
                {
                    indices[count] = i + j;
                    count += any[j] != 0 ? 1 : 0;
                }
            }
            for (; i < InputCount; i++)
            {
                indices[count] = i;
                count += (Unsafe.Add(ref x0, i) | Unsafe.Add(ref x1, i) | Unsafe.Add(ref x2, i) | Unsafe.Add(ref x3, i)
                    | Unsafe.Add(ref x4, i) | Unsafe.Add(ref x5, i)) != 0 ? 1 : 0;
            }
            return count;
        }

        /// <summary>Units [start, start + <typeparamref name="TVectors"/> vectors) of the tile's six rows, summed over the
        /// inputs <paramref name="indices"/>: up to twenty-four accumulators, four weight vectors and a broadcast input fit
        /// AVX-512's 32 registers.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void AccumulateTile<TVectors>(ReadOnlySpan<float> tile, int stride, ReadOnlySpan<int> indices, int start, Span<float> output)
            where TVectors : struct, IVectorCount
        {
            int n = TVectors.Count;
            ref float bias = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_bias), start);
            var b0 = Vector512.LoadUnsafe(ref bias, 0);
            var b1 = n > 1 ? Vector512.LoadUnsafe(ref bias, Lanes) : default;
            var b2 = n > 2 ? Vector512.LoadUnsafe(ref bias, 2 * Lanes) : default;
            var b3 = n > 3 ? Vector512.LoadUnsafe(ref bias, 3 * Lanes) : default;
            Vector512<float> a00 = b0, a01 = b1, a02 = b2, a03 = b3, a10 = b0, a11 = b1, a12 = b2, a13 = b3;
            Vector512<float> a20 = b0, a21 = b1, a22 = b2, a23 = b3, a30 = b0, a31 = b1, a32 = b2, a33 = b3;
            Vector512<float> a40 = b0, a41 = b1, a42 = b2, a43 = b3, a50 = b0, a51 = b1, a52 = b2, a53 = b3;
            ref float x0 = ref MemoryMarshal.GetReference(tile);
            ref float x1 = ref Unsafe.Add(ref x0, stride);
            ref float x2 = ref Unsafe.Add(ref x1, stride);
            ref float x3 = ref Unsafe.Add(ref x2, stride);
            ref float x4 = ref Unsafe.Add(ref x3, stride);
            ref float x5 = ref Unsafe.Add(ref x4, stride);
            ref float weights = ref _weights.Start;
            for (int k = 0; k < indices.Length; k++)
            {
                int i = indices[k];
                ref float row = ref Unsafe.Add(ref weights, i * PaddedOutputCount + start);
                var w0 = Vector512.LoadUnsafe(ref row, 0);
                var w1 = n > 1 ? Vector512.LoadUnsafe(ref row, Lanes) : default;
                var w2 = n > 2 ? Vector512.LoadUnsafe(ref row, 2 * Lanes) : default;
                var w3 = n > 3 ? Vector512.LoadUnsafe(ref row, 3 * Lanes) : default;
                AddScaled<TVectors>(Unsafe.Add(ref x0, i), w0, w1, w2, w3, ref a00, ref a01, ref a02, ref a03);
                AddScaled<TVectors>(Unsafe.Add(ref x1, i), w0, w1, w2, w3, ref a10, ref a11, ref a12, ref a13);
                AddScaled<TVectors>(Unsafe.Add(ref x2, i), w0, w1, w2, w3, ref a20, ref a21, ref a22, ref a23);
                AddScaled<TVectors>(Unsafe.Add(ref x3, i), w0, w1, w2, w3, ref a30, ref a31, ref a32, ref a33);
                AddScaled<TVectors>(Unsafe.Add(ref x4, i), w0, w1, w2, w3, ref a40, ref a41, ref a42, ref a43);
                AddScaled<TVectors>(Unsafe.Add(ref x5, i), w0, w1, w2, w3, ref a50, ref a51, ref a52, ref a53);
            }
            ref float destination = ref Unsafe.Add(ref MemoryMarshal.GetReference(output), start);
            Store<TVectors>(ref destination, a00, a01, a02, a03);
            Store<TVectors>(ref Unsafe.Add(ref destination, PaddedOutputCount), a10, a11, a12, a13);
            Store<TVectors>(ref Unsafe.Add(ref destination, 2 * PaddedOutputCount), a20, a21, a22, a23);
            Store<TVectors>(ref Unsafe.Add(ref destination, 3 * PaddedOutputCount), a30, a31, a32, a33);
            Store<TVectors>(ref Unsafe.Add(ref destination, 4 * PaddedOutputCount), a40, a41, a42, a43);
            Store<TVectors>(ref Unsafe.Add(ref destination, 5 * PaddedOutputCount), a50, a51, a52, a53);
        }

        /// <summary>Adds one row's <paramref name="input"/> times the weight vectors to that row's accumulators.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AddScaled<TVectors>(float input, Vector512<float> w0, Vector512<float> w1, Vector512<float> w2, Vector512<float> w3,
            ref Vector512<float> a0, ref Vector512<float> a1, ref Vector512<float> a2, ref Vector512<float> a3)
            where TVectors : struct, IVectorCount
        {
            var x = Vector512.Create(input);
            a0 = Vector512.FusedMultiplyAdd(w0, x, a0);
            if (TVectors.Count > 1)
                a1 = Vector512.FusedMultiplyAdd(w1, x, a1);
            if (TVectors.Count > 2)
                a2 = Vector512.FusedMultiplyAdd(w2, x, a2);
            if (TVectors.Count > 3)
                a3 = Vector512.FusedMultiplyAdd(w3, x, a3);
        }

        /// <summary>The position of the first of the ascending <paramref name="indices"/> at or above <paramref name="value"/>.</summary>
        private static int LowerBound(ReadOnlySpan<int> indices, int value)
        {
            int found = indices.BinarySearch(value);
            return found >= 0 ? found : ~found;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store<TVectors>(ref float destination, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
            where TVectors : struct, IVectorCount
        {
            v0.StoreUnsafe(ref destination, 0);
            if (TVectors.Count > 1)
                v1.StoreUnsafe(ref destination, Lanes);
            if (TVectors.Count > 2)
                v2.StoreUnsafe(ref destination, 2 * Lanes);
            if (TVectors.Count > 3)
                v3.StoreUnsafe(ref destination, 3 * Lanes);
        }
    }
}
