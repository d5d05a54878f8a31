using System;
using System.Collections.Generic;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// One dense layer of a BN-MLP: <c>activation(BN(W x))</c> for a hidden layer with batch normalization,
    /// <c>activation(W x + b)</c> without it, and <c>W x + b</c> (the class logits) for the output layer.
    /// </summary>
    public sealed class BnMlpLayer
    {
        private readonly float[] _weights;
        private readonly float[] _bias;

        /// <summary>Creates a layer; the arrays are copied.</summary>
        /// <param name="inputCount">Number of inputs.</param>
        /// <param name="outputCount">Number of units.</param>
        /// <param name="weights">Row-major weights, <paramref name="outputCount"/> rows of <paramref name="inputCount"/>.</param>
        /// <param name="bias">One bias per unit, or <see langword="null"/> when batch normalization follows (its shift replaces the bias).</param>
        /// <param name="batchNorm">Batch normalization of the layer's output, or <see langword="null"/>.</param>
        /// <param name="activation">The nonlinearity, or <see langword="null"/> for the output layer.</param>
        public BnMlpLayer(int inputCount, int outputCount, float[] weights, float[] bias, BatchNormParameters batchNorm, BnMlpActivation? activation)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(inputCount, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(outputCount, 1);
            ArgumentNullException.ThrowIfNull(weights);
            if ((long)inputCount * outputCount != weights.Length)
                throw new ArgumentException($"Expected {outputCount} x {inputCount} = {(long)inputCount * outputCount} weights, found {weights.Length}.", nameof(weights));
            if (bias != null && bias.Length != outputCount)
                throw new ArgumentException($"Expected {outputCount} biases (one per unit), found {bias.Length}.", nameof(bias));
            if (bias == null && batchNorm == null)
                throw new ArgumentException("A layer without batch normalization needs a bias.", nameof(bias));
            if (batchNorm != null && batchNorm.UnitCount != outputCount)
                throw new ArgumentException($"Batch normalization has {batchNorm.UnitCount} units, the layer {outputCount}.", nameof(batchNorm));
            if (activation is { } a && !Enum.IsDefined(a))
                throw new ArgumentOutOfRangeException(nameof(activation), a, "Unknown activation.");
            ModelChecks.CheckFinite(weights, nameof(weights));
            if (bias != null)
                ModelChecks.CheckFinite(bias, nameof(bias));

            InputCount = inputCount;
            OutputCount = outputCount;
            _weights = (float[])weights.Clone();
            _bias = (float[])bias?.Clone();
            BatchNorm = batchNorm;
            Activation = activation;
        }

        /// <summary>Number of inputs.</summary>
        public int InputCount { get; }

        /// <summary>Number of units.</summary>
        public int OutputCount { get; }

        /// <summary>Row-major weights: unit <c>j</c>'s weights are <c>Weights[j * InputCount .. (j + 1) * InputCount)</c>.</summary>
        public IReadOnlyList<float> Weights => _weights;

        /// <summary>One bias per unit, or <see langword="null"/> when batch normalization replaces it.</summary>
        public IReadOnlyList<float> Bias => _bias;

        /// <summary>Batch normalization of this layer, or <see langword="null"/>.</summary>
        public BatchNormParameters BatchNorm { get; }

        /// <summary>The nonlinearity, or <see langword="null"/> for the output layer.</summary>
        public BnMlpActivation? Activation { get; }

        internal ReadOnlySpan<float> WeightSpan => _weights;
        internal ReadOnlySpan<float> BiasSpan => _bias;
    }
}
