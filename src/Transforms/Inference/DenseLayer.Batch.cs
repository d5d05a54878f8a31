using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The batch path: tiles of <see cref="TileRows"/> rows by <see cref="TileVectors"/> vectors of units, sixteen
    /// accumulators kept in registers across all inputs, so each weight vector loaded serves four rows. Every unit of every
    /// row is summed as in <see cref="Apply"/>: the bias, then one fused multiply-add per input in ascending input order.
    /// The single-row kernel skips each of its row's zero inputs; a tile skips only the inputs that are zero in all its rows
    /// and multiplies the other rows' zeros in. Adding <c>w * 0</c> (w finite) leaves a sum unchanged except for the sign of
    /// a zero sum, which changes no later sum, activation or softmax as a number, and the network's outputs are turned
    /// from -0 to +0 (<see cref="FoldedNetwork"/>): a row's scores are bit-identical in both paths.
    /// </summary>
    internal sealed partial class DenseLayer
    {
        /// <summary>Rows computed together; a batch is a whole number of tiles.</summary>
        public const int TileRows = 4;

        private const int TileVectors = 4;

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
            for (int row = 0; row < rows; row += TileRows)
            {
                var tileInput = input.Slice(row * inputStride, (TileRows - 1) * inputStride + InputCount);
                var tileOutput = output.Slice(row * PaddedOutputCount, TileRows * PaddedOutputCount);
                ReadOnlySpan<int> indices = nonZeroIndices[..GatherTileNonZeros(tileInput, inputStride, nonZeroIndices)];
                for (int start = 0; start < PaddedOutputCount; start += TileVectors * Lanes)
                    AccumulateTile(tileInput, inputStride, indices, start, tileOutput);
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
            int count = 0, i = 0;
            for (; i + Lanes <= InputCount; i += Lanes)
            {
                var any = Vector.LoadUnsafe(ref x0, (nuint)i) | Vector.LoadUnsafe(ref x1, (nuint)i)
                    | Vector.LoadUnsafe(ref x2, (nuint)i) | Vector.LoadUnsafe(ref x3, (nuint)i);
                if (any == Vector<int>.Zero)
                    continue;
                for (int j = 0; j < Lanes; j++)
                {
                    indices[count] = i + j;
                    count += any[j] != 0 ? 1 : 0;
                }
            }
            for (; i < InputCount; i++)
            {
                indices[count] = i;
                count += (Unsafe.Add(ref x0, i) | Unsafe.Add(ref x1, i) | Unsafe.Add(ref x2, i) | Unsafe.Add(ref x3, i)) != 0 ? 1 : 0;
            }
            return count;
        }

        /// <summary>Units [start, start + 4 vectors) of the tile's four rows.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void AccumulateTile(ReadOnlySpan<float> tile, int stride, ReadOnlySpan<int> indices, int start, Span<float> output)
        {
            int lanes = Lanes;
            ref float bias = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_bias), start);
            var b0 = Vector.LoadUnsafe(ref bias, 0);
            var b1 = Vector.LoadUnsafe(ref bias, (nuint)lanes);
            var b2 = Vector.LoadUnsafe(ref bias, (nuint)(2 * lanes));
            var b3 = Vector.LoadUnsafe(ref bias, (nuint)(3 * lanes));
            Vector<float> a00 = b0, a01 = b1, a02 = b2, a03 = b3, a10 = b0, a11 = b1, a12 = b2, a13 = b3;
            Vector<float> a20 = b0, a21 = b1, a22 = b2, a23 = b3, a30 = b0, a31 = b1, a32 = b2, a33 = b3;
            ref float x0 = ref MemoryMarshal.GetReference(tile);
            ref float x1 = ref Unsafe.Add(ref x0, stride);
            ref float x2 = ref Unsafe.Add(ref x1, stride);
            ref float x3 = ref Unsafe.Add(ref x2, stride);
            ref float weights = ref MemoryMarshal.GetArrayDataReference(_weights);
            for (int k = 0; k < indices.Length; k++)
            {
                int i = indices[k];
                ref float row = ref Unsafe.Add(ref weights, i * PaddedOutputCount + start);
                var w0 = Vector.LoadUnsafe(ref row, 0);
                var w1 = Vector.LoadUnsafe(ref row, (nuint)lanes);
                var w2 = Vector.LoadUnsafe(ref row, (nuint)(2 * lanes));
                var w3 = Vector.LoadUnsafe(ref row, (nuint)(3 * lanes));
                var x = new Vector<float>(Unsafe.Add(ref x0, i));
                a00 = Vector.FusedMultiplyAdd(w0, x, a00);
                a01 = Vector.FusedMultiplyAdd(w1, x, a01);
                a02 = Vector.FusedMultiplyAdd(w2, x, a02);
                a03 = Vector.FusedMultiplyAdd(w3, x, a03);
                x = new Vector<float>(Unsafe.Add(ref x1, i));
                a10 = Vector.FusedMultiplyAdd(w0, x, a10);
                a11 = Vector.FusedMultiplyAdd(w1, x, a11);
                a12 = Vector.FusedMultiplyAdd(w2, x, a12);
                a13 = Vector.FusedMultiplyAdd(w3, x, a13);
                x = new Vector<float>(Unsafe.Add(ref x2, i));
                a20 = Vector.FusedMultiplyAdd(w0, x, a20);
                a21 = Vector.FusedMultiplyAdd(w1, x, a21);
                a22 = Vector.FusedMultiplyAdd(w2, x, a22);
                a23 = Vector.FusedMultiplyAdd(w3, x, a23);
                x = new Vector<float>(Unsafe.Add(ref x3, i));
                a30 = Vector.FusedMultiplyAdd(w0, x, a30);
                a31 = Vector.FusedMultiplyAdd(w1, x, a31);
                a32 = Vector.FusedMultiplyAdd(w2, x, a32);
                a33 = Vector.FusedMultiplyAdd(w3, x, a33);
            }
            ref float destination = ref Unsafe.Add(ref MemoryMarshal.GetReference(output), start);
            Store(ref destination, a00, a01, a02, a03);
            Store(ref Unsafe.Add(ref destination, PaddedOutputCount), a10, a11, a12, a13);
            Store(ref Unsafe.Add(ref destination, 2 * PaddedOutputCount), a20, a21, a22, a23);
            Store(ref Unsafe.Add(ref destination, 3 * PaddedOutputCount), a30, a31, a32, a33);
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(ref float destination, Vector<float> v0, Vector<float> v1, Vector<float> v2, Vector<float> v3)
        {
            int lanes = Lanes;
            v0.StoreUnsafe(ref destination, 0);
            v1.StoreUnsafe(ref destination, (nuint)lanes);
            v2.StoreUnsafe(ref destination, (nuint)(2 * lanes));
            v3.StoreUnsafe(ref destination, (nuint)(3 * lanes));
        }
    }
}
