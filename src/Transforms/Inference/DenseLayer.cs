using System;
using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// One folded dense layer and its activation, computed as a sum of weight rows scaled by the non-zero inputs (MNIST
    /// rows are about 80% zeros, ReLU outputs about half). Weights are stored input-major with each input's row padded to
    /// whole SIMD vectors, and up to <see cref="BlockVectors"/> vectors of outputs are accumulated in registers across all
    /// inputs before being stored: a row then costs one fused multiply-add per non-zero input and output vector. Units are
    /// padded to whole blocks (zero weights), so no pass runs with fewer accumulators than hide the FMA latency.
    /// The kernels are marked AggressiveOptimization: compiled fully optimized at their first call rather than first as
    /// tier-0 code, which runs these vector loops many times slower and served a fresh process's first thousand
    /// predictions (31 µs each on average, against about 4 µs warm).
    /// </summary>
    internal sealed partial class DenseLayer
    {
        private const int BlockVectors = 8;
        private static readonly int Lanes = Vector<float>.Count;

        private readonly float[] _weights;
        private readonly float[] _bias;
        private readonly BnMlpActivation? _activation;

        /// <param name="inputs">Number of inputs.</param>
        /// <param name="outputs">Number of units.</param>
        /// <param name="weights">Unit-major weights [outputs, inputs].</param>
        /// <param name="bias">One bias per unit.</param>
        /// <param name="activation">The activation, or null for the output layer.</param>
        public DenseLayer(int inputs, int outputs, float[] weights, float[] bias, BnMlpActivation? activation)
        {
            InputCount = inputs;
            OutputCount = outputs;
            // Whole single-row blocks, which are also whole batch tiles (TileVectors divides BlockVectors).
            int block = BlockVectors * Lanes;
            PaddedOutputCount = (outputs + block - 1) / block * block;
            _weights = new float[inputs * PaddedOutputCount];
            for (int i = 0; i < inputs; i++)
            {
                for (int j = 0; j < outputs; j++)
                    _weights[i * PaddedOutputCount + j] = weights[j * inputs + i];
            }
            _bias = new float[PaddedOutputCount];
            bias.CopyTo(_bias, 0);
            _activation = activation;
        }

        public int InputCount { get; }

        public int OutputCount { get; }

        /// <summary>Units rounded up to whole blocks: the length of the output span.</summary>
        public int PaddedOutputCount { get; }

        /// <summary>Writes the layer's activations to <paramref name="output"/> (length <see cref="PaddedOutputCount"/>;
        /// the padding holds zeros).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Apply(ReadOnlySpan<float> input, Span<float> output, Span<int> nonZeroIndices, Span<float> nonZeroValues)
        {
            int count = GatherNonZeros(input, nonZeroIndices, nonZeroValues);
            ReadOnlySpan<int> indices = nonZeroIndices[..count];
            ReadOnlySpan<float> values = nonZeroValues[..count];
            for (int start = 0; start < PaddedOutputCount; start += BlockVectors * Lanes)
                AccumulateBlock(indices, values, start, output);
            Activate(output[..OutputCount]);
        }

        /// <summary>The activation of one row's units, the same call in the single-row and the batch path: TensorPrimitives
        /// picks its code path by span length, so equal lengths give bit-equal results.</summary>
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
            for (; i + Lanes <= units.Length; i += Lanes)
                Vector.Max(Vector.LoadUnsafe(ref first, (nuint)i), Vector<float>.Zero).StoreUnsafe(ref first, (nuint)i);
            for (; i < units.Length; i++)
                units[i] = Math.Max(units[i], 0f);
        }

        /// <summary>The non-zero inputs and where they are. Whole vectors of zeros (image borders, inactive ReLUs) are
        /// skipped with one comparison.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static int GatherNonZeros(ReadOnlySpan<float> input, Span<int> nonZeroIndices, Span<float> nonZeroValues)
        {
            int count = 0, i = 0;
            ref float first = ref MemoryMarshal.GetReference(input);
            for (; i + Lanes <= input.Length; i += Lanes)
            {
                if (Vector.EqualsAll(Vector.LoadUnsafe(ref first, (nuint)i), Vector<float>.Zero))
                    continue;
                for (int j = i; j < i + Lanes; j++)
                    count = Keep(input[j], j, nonZeroIndices, nonZeroValues, count);
            }
            for (; i < input.Length; i++)
                count = Keep(input[i], i, nonZeroIndices, nonZeroValues, count);
            return count;
        }

        /// <summary>Writes the input unconditionally and counts it only if it is not zero: whether a pixel or a ReLU is
        /// zero is not predictable, and a mispredicted branch per input cost more than the stores.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static int Keep(float value, int index, Span<int> nonZeroIndices, Span<float> nonZeroValues, int count)
        {
            nonZeroIndices[count] = index;
            nonZeroValues[count] = value;
            return count + (value != 0 ? 1 : 0);
        }

        /// <summary>Outputs [start, start + 8 vectors): eight accumulators stay in registers over all inputs.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void AccumulateBlock(ReadOnlySpan<int> indices, ReadOnlySpan<float> values, int start, Span<float> output)
        {
            ref float bias = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_bias), start);
            int lanes = Lanes;
            var a0 = Vector.LoadUnsafe(ref bias, 0);
            var a1 = Vector.LoadUnsafe(ref bias, (nuint)lanes);
            var a2 = Vector.LoadUnsafe(ref bias, (nuint)(2 * lanes));
            var a3 = Vector.LoadUnsafe(ref bias, (nuint)(3 * lanes));
            var a4 = Vector.LoadUnsafe(ref bias, (nuint)(4 * lanes));
            var a5 = Vector.LoadUnsafe(ref bias, (nuint)(5 * lanes));
            var a6 = Vector.LoadUnsafe(ref bias, (nuint)(6 * lanes));
            var a7 = Vector.LoadUnsafe(ref bias, (nuint)(7 * lanes));
            ref float weights = ref MemoryMarshal.GetArrayDataReference(_weights);
            for (int k = 0; k < indices.Length; k++)
            {
                ref float row = ref Unsafe.Add(ref weights, indices[k] * PaddedOutputCount + start);
                var x = new Vector<float>(values[k]);
                a0 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, 0), x, a0);
                a1 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)lanes), x, a1);
                a2 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)(2 * lanes)), x, a2);
                a3 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)(3 * lanes)), x, a3);
                a4 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)(4 * lanes)), x, a4);
                a5 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)(5 * lanes)), x, a5);
                a6 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)(6 * lanes)), x, a6);
                a7 = Vector.FusedMultiplyAdd(Vector.LoadUnsafe(ref row, (nuint)(7 * lanes)), x, a7);
            }
            ref float destination = ref MemoryMarshal.GetReference(output.Slice(start, BlockVectors * lanes));
            a0.StoreUnsafe(ref destination, 0);
            a1.StoreUnsafe(ref destination, (nuint)lanes);
            a2.StoreUnsafe(ref destination, (nuint)(2 * lanes));
            a3.StoreUnsafe(ref destination, (nuint)(3 * lanes));
            a4.StoreUnsafe(ref destination, (nuint)(4 * lanes));
            a5.StoreUnsafe(ref destination, (nuint)(5 * lanes));
            a6.StoreUnsafe(ref destination, (nuint)(6 * lanes));
            a7.StoreUnsafe(ref destination, (nuint)(7 * lanes));
        }
    }
}
