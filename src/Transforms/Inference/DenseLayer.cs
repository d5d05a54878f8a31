using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// One folded dense layer and its activation, computed as a sum of weight rows scaled by the inputs. Weights are stored
    /// input-major with each input's row padded to whole 512-bit vectors (100 units to 112), and up to
    /// <see cref="BlockVectors"/> vectors of outputs are accumulated in registers across all inputs before being stored: a
    /// row costs one fused multiply-add per input and output vector. A row with fewer than <see cref="SparseShare"/> of its
    /// inputs non-zero (an MNIST digit, a Fashion-MNIST image, inactive ReLUs) sums only those, found from a bit mask per
    /// <see cref="MaskInputs"/> inputs; a denser row sums every input, zeros included, in one branch-free loop that
    /// streams the weights in order (skipping chunks of zeros, a branch that the data decides, cost more).
    /// The kernels are marked AggressiveOptimization: compiled fully optimized at their first call rather than first as
    /// tier-0 code, which runs these vector loops many times slower and served a fresh process's first thousand
    /// predictions (31 µs each on average, against about 4 µs warm).
    /// </summary>
    internal sealed partial class DenseLayer
    {
        /// <summary>Floats per vector: units are padded to a multiple of this.</summary>
        private const int Lanes = 16;

        /// <summary>Most vectors of units one pass over the inputs accumulates.</summary>
        private const int BlockVectors = 8;

        /// <summary>Inputs per non-zero mask of the single-row kernel: one 512-bit vector.</summary>
        private const int MaskInputs = 16;

        /// <summary>Share of non-zero inputs below which <see cref="Apply"/> sums only the non-zeros. Measured on a 2-core
        /// Zen 4 (3×100 on Fashion-MNIST, about half its pixels zero): 16 % more rows per second at 0.8 than at 0.5, the
        /// same from 0.7 to 1.0 (on Zen 5 both paths cost the same on such rows). Each skipped zero saves loading a
        /// weight row from L2, which outweighs building the masks until almost every input is non-zero; the sums do not
        /// depend on the path.</summary>
        private const float SparseShare = 0.8f;

        private readonly AlignedFloats _weights;
        private readonly float[] _bias;
        private readonly BnMlpActivation? _activation;

        /// <summary>Per block of units of <see cref="Apply"/> (<see cref="BlockVectors"/> vectors) and of the batch path's
        /// tiles (<see cref="TileVectors"/>), the inputs [First, End) with a non-zero weight for any of its units: a block
        /// sums only those. A merged ensemble's block-diagonal layers (<c>EnsembleSize</c>) then cost each unit its own
        /// member's inputs; a dense layer's blocks read all its inputs.</summary>
        private readonly (int First, int End)[] _blockInputs;
        private readonly (int First, int End)[] _tileInputs;

        /// <summary>0, 1, ..., <see cref="InputCount"/> - 1: the inputs a dense tile of the batch path sums.</summary>
        private readonly int[] _allInputs;

        /// <param name="inputs">Number of inputs.</param>
        /// <param name="outputs">Number of units.</param>
        /// <param name="weights">Unit-major weights [outputs, inputs].</param>
        /// <param name="bias">One bias per unit.</param>
        /// <param name="activation">The activation, or null for the output layer.</param>
        public DenseLayer(int inputs, int outputs, float[] weights, float[] bias, BnMlpActivation? activation)
        {
            InputCount = inputs;
            OutputCount = outputs;
            PaddedOutputCount = (outputs + Lanes - 1) / Lanes * Lanes;
            _weights = new AlignedFloats(inputs * PaddedOutputCount);
            var transposed = _weights.Span;
            // Per vector of units, the first input with a non-zero weight and one past the last, found while transposing.
            int vectors = PaddedOutputCount / Lanes;
            var firstInput = new int[vectors];
            var endInput = new int[vectors];
            Array.Fill(firstInput, inputs);
            for (int i = 0; i < inputs; i++)
            {
                for (int j = 0; j < outputs; j++)
                {
                    float w = weights[j * inputs + i];
                    transposed[i * PaddedOutputCount + j] = w;
                    if (w != 0)
                    {
                        firstInput[j / Lanes] = Math.Min(firstInput[j / Lanes], i);
                        endInput[j / Lanes] = i + 1;
                    }
                }
            }
            _bias = new float[PaddedOutputCount];
            bias.CopyTo(_bias, 0);
            _activation = activation;
            _blockInputs = InputRanges(firstInput, endInput, BlockVectors);
            _tileInputs = InputRanges(firstInput, endInput, TileVectors);
            _allInputs = new int[inputs];
            for (int i = 0; i < inputs; i++)
                _allInputs[i] = i;
        }

        /// <summary>For each block of <paramref name="blockVectors"/> vectors of units, the union of its vectors' input
        /// ranges [first, end) (both 0 when none has a non-zero weight).</summary>
        private static (int First, int End)[] InputRanges(int[] firstInput, int[] endInput, int blockVectors)
        {
            var ranges = new (int First, int End)[(firstInput.Length + blockVectors - 1) / blockVectors];
            for (int block = 0; block < ranges.Length; block++)
            {
                int first = int.MaxValue, end = 0;
                for (int v = block * blockVectors; v < Math.Min(firstInput.Length, (block + 1) * blockVectors); v++)
                {
                    first = Math.Min(first, firstInput[v]);
                    end = Math.Max(end, endInput[v]);
                }
                ranges[block] = first < end ? (first, end) : (0, 0);
            }
            return ranges;
        }

        public int InputCount { get; }

        public int OutputCount { get; }

        /// <summary>Units rounded up to whole vectors: the length of the output span.</summary>
        public int PaddedOutputCount { get; }

        /// <summary>Writes the layer's activations to <paramref name="output"/> (length <see cref="PaddedOutputCount"/>;
        /// the padding holds zeros).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(ReadOnlySpan<float> input, Span<float> output)
        {
            bool sparse = CountNonZeros(input) < input.Length * SparseShare;
            for (int start = 0; start < PaddedOutputCount; start += BlockVectors * Lanes)
            {
                var (first, end) = _blockInputs[start / (BlockVectors * Lanes)];
                switch (Math.Min(BlockVectors, (PaddedOutputCount - start) / Lanes))
                {
                    case 1: AccumulateBlock<One>(input, first, end, start, output, sparse); break;
                    case 2: AccumulateBlock<Two>(input, first, end, start, output, sparse); break;
                    case 3: AccumulateBlock<Three>(input, first, end, start, output, sparse); break;
                    case 4: AccumulateBlock<Four>(input, first, end, start, output, sparse); break;
                    case 5: AccumulateBlock<Five>(input, first, end, start, output, sparse); break;
                    case 6: AccumulateBlock<Six>(input, first, end, start, output, sparse); break;
                    case 7: AccumulateBlock<Seven>(input, first, end, start, output, sparse); break;
                    default: AccumulateBlock<Eight>(input, first, end, start, output, sparse); break;
                }
            }
            Activate(output[..OutputCount]);
        }

        /// <summary>The activation of one row's units, the same call in the single-row and the batch path: TensorPrimitives
        /// picks its code path by span length, so equal lengths give bit-equal results.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Activate(Span<float> units)
        {
            switch (_activation)
            {
                case BnMlpActivation.ReLU:
                    ReLU(units);
                    break;
                case BnMlpActivation.Sigmoid:
                    TensorPrimitives.Sigmoid(units, units);
                    break;
                case BnMlpActivation.Tanh:
                    TensorPrimitives.Tanh(units, units);
                    break;
            }
        }

        /// <summary>max(x, 0) in place, NaN staying NaN. A loop of our own: TensorPrimitives.Max compiles many generic
        /// methods on first use, a large part of a cold start's first prediction.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void ReLU(Span<float> units)
        {
            int i = 0;
            ref float first = ref MemoryMarshal.GetReference(units);
            for (; i + Vector<float>.Count <= units.Length; i += Vector<float>.Count)
                Vector.Max(Vector.LoadUnsafe(ref first, (nuint)i), Vector<float>.Zero).StoreUnsafe(ref first, (nuint)i);
            for (; i < units.Length; i++)
                units[i] = Math.Max(units[i], 0f);
        }

        /// <summary>Units [start, start + <typeparamref name="TVectors"/> vectors), summed over the inputs [firstInput,
        /// endInput): that many accumulators stay in registers over those inputs. Generic over the count so that the JIT
        /// compiles each count without the unused accumulators.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void AccumulateBlock<TVectors>(ReadOnlySpan<float> input, int firstInput, int endInput, int start, Span<float> output, bool sparse)
            where TVectors : struct, IVectorCount
        {
            int n = TVectors.Count;
            ref float bias = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_bias), start);
            var a0 = Vector512.LoadUnsafe(ref bias, 0);
            var a1 = n > 1 ? Vector512.LoadUnsafe(ref bias, Lanes) : default;
            var a2 = n > 2 ? Vector512.LoadUnsafe(ref bias, 2 * Lanes) : default;
            var a3 = n > 3 ? Vector512.LoadUnsafe(ref bias, 3 * Lanes) : default;
            var a4 = n > 4 ? Vector512.LoadUnsafe(ref bias, 4 * Lanes) : default;
            var a5 = n > 5 ? Vector512.LoadUnsafe(ref bias, 5 * Lanes) : default;
            var a6 = n > 6 ? Vector512.LoadUnsafe(ref bias, 6 * Lanes) : default;
            var a7 = n > 7 ? Vector512.LoadUnsafe(ref bias, 7 * Lanes) : default;
            ref float x = ref MemoryMarshal.GetReference(input);
            ref float weights = ref Unsafe.Add(ref _weights.Start, start);
            int stride = PaddedOutputCount;
            if (!sparse)
            {
                ref float row = ref Unsafe.Add(ref weights, firstInput * stride);
                for (int i = firstInput; i < endInput; i++, row = ref Unsafe.Add(ref row, stride))
                    AddScaledRow<TVectors>(ref row, Vector512.Create(Unsafe.Add(ref x, i)), ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
            }
            else
            {
                for (int chunk = firstInput; chunk < endInput; chunk += MaskInputs)
                {
                    for (ulong mask = NonZeroMask(ref Unsafe.Add(ref x, chunk), endInput - chunk); mask != 0; mask &= mask - 1)
                    {
                        int i = chunk + BitOperations.TrailingZeroCount(mask);
                        AddScaledRow<TVectors>(ref Unsafe.Add(ref weights, i * stride), Vector512.Create(Unsafe.Add(ref x, i)), ref a0, ref a1, ref a2, ref a3, ref a4, ref a5, ref a6, ref a7);
                    }
                }
            }
            ref float destination = ref MemoryMarshal.GetReference(output.Slice(start, n * Lanes));
            a0.StoreUnsafe(ref destination, 0);
            if (n > 1)
                a1.StoreUnsafe(ref destination, Lanes);
            if (n > 2)
                a2.StoreUnsafe(ref destination, 2 * Lanes);
            if (n > 3)
                a3.StoreUnsafe(ref destination, 3 * Lanes);
            if (n > 4)
                a4.StoreUnsafe(ref destination, 4 * Lanes);
            if (n > 5)
                a5.StoreUnsafe(ref destination, 5 * Lanes);
            if (n > 6)
                a6.StoreUnsafe(ref destination, 6 * Lanes);
            if (n > 7)
                a7.StoreUnsafe(ref destination, 7 * Lanes);
        }

        /// <summary>Adds <paramref name="value"/> times the weight row at <paramref name="row"/> to the accumulators.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void AddScaledRow<TVectors>(ref float row, Vector512<float> value, ref Vector512<float> a0, ref Vector512<float> a1,
            ref Vector512<float> a2, ref Vector512<float> a3, ref Vector512<float> a4, ref Vector512<float> a5, ref Vector512<float> a6,
            ref Vector512<float> a7)
            where TVectors : struct, IVectorCount
        {
            int n = TVectors.Count;
            a0 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 0), value, a0);
            if (n > 1)
                a1 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, Lanes), value, a1);
            if (n > 2)
                a2 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 2 * Lanes), value, a2);
            if (n > 3)
                a3 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 3 * Lanes), value, a3);
            if (n > 4)
                a4 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 4 * Lanes), value, a4);
            if (n > 5)
                a5 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 5 * Lanes), value, a5);
            if (n > 6)
                a6 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 6 * Lanes), value, a6);
            if (n > 7)
                a7 = Vector512.FusedMultiplyAdd(Vector512.LoadUnsafe(ref row, 7 * Lanes), value, a7);
        }

        /// <summary>Bit j set when input j of the <paramref name="count"/> (at most <see cref="MaskInputs"/> used) from
        /// <paramref name="x"/> is not zero.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static ulong NonZeroMask(ref float x, int count)
        {
            if (count >= MaskInputs)
                return ~Vector512.Equals(Vector512.LoadUnsafe(ref x), Vector512<float>.Zero).ExtractMostSignificantBits() & 0xFFFF;
            ulong mask = 0;
            for (int j = 0; j < count; j++)
                mask |= Unsafe.Add(ref x, j) != 0 ? 1UL << j : 0;
            return mask;
        }

        /// <summary>How many of <paramref name="input"/> are not zero.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int CountNonZeros(ReadOnlySpan<float> input)
        {
            ref float x = ref MemoryMarshal.GetReference(input);
            int count = 0, i = 0;
            for (; i + MaskInputs <= input.Length; i += MaskInputs)
                count += BitOperations.PopCount(NonZeroMask(ref Unsafe.Add(ref x, i), MaskInputs));
            return count + BitOperations.PopCount(NonZeroMask(ref Unsafe.Add(ref x, i), input.Length - i));
        }

        /// <summary>A number of vectors known when the JIT compiles a generic kernel for it.</summary>
        private interface IVectorCount
        {
            static abstract int Count { get; }
        }

        private readonly struct One : IVectorCount { public static int Count => 1; }

        private readonly struct Two : IVectorCount { public static int Count => 2; }

        private readonly struct Three : IVectorCount { public static int Count => 3; }

        private readonly struct Four : IVectorCount { public static int Count => 4; }

        private readonly struct Five : IVectorCount { public static int Count => 5; }

        private readonly struct Six : IVectorCount { public static int Count => 6; }

        private readonly struct Seven : IVectorCount { public static int Count => 7; }

        private readonly struct Eight : IVectorCount { public static int Count => 8; }
    }
}
