using System;
using System.Linq;
using System.Numerics.Tensors;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>
    /// The baseline a user would write from the public model parameters: per layer a dot product per unit, then batch
    /// normalization with the stored statistics, then the activation; no folding. Float, SIMD dot products, no allocation.
    /// </summary>
    internal sealed class UnfoldedNetwork
    {
        private sealed record Layer(int Inputs, float[] Weights, float[] Bias, BatchNormParameters BatchNorm, float[] Gamma,
            float[] Beta, float[] Mean, float[] Variance, BnMlpActivation? Activation);

        private readonly Layer[] _layers;
        private readonly float[] _even;
        private readonly float[] _odd;

        public UnfoldedNetwork(BnMlpModelParameters model)
        {
            _layers = model.Layers.Select(l => new Layer(l.InputCount, l.Weights.ToArray(), l.Bias?.ToArray() ?? new float[l.OutputCount],
                l.BatchNorm, l.BatchNorm?.Gamma.ToArray(), l.BatchNorm?.Beta.ToArray(), l.BatchNorm?.Mean.ToArray(), l.BatchNorm?.Variance.ToArray(),
                l.Activation)).ToArray();
            int width = model.Layers.Max(l => l.OutputCount);
            _even = new float[width];
            _odd = new float[width];
        }

        public void Predict(ReadOnlySpan<float> features, Span<float> probabilities)
        {
            ReadOnlySpan<float> input = features;
            for (int l = 0; l < _layers.Length; l++)
            {
                var layer = _layers[l];
                var output = (l % 2 == 0 ? _even : _odd).AsSpan(0, layer.Bias.Length);
                for (int j = 0; j < output.Length; j++)
                {
                    float sum = TensorPrimitives.Dot(layer.Weights.AsSpan(j * layer.Inputs, layer.Inputs), input) + layer.Bias[j];
                    if (layer.BatchNorm is { } bn)
                        sum = layer.Gamma[j] * (sum - layer.Mean[j]) / MathF.Sqrt(layer.Variance[j] + bn.Epsilon) + layer.Beta[j];
                    output[j] = layer.Activation switch
                    {
                        BnMlpActivation.ReLU => MathF.Max(0, sum),
                        BnMlpActivation.Sigmoid => 1 / (1 + MathF.Exp(-sum)),
                        BnMlpActivation.Tanh => MathF.Tanh(sum),
                        _ => sum,
                    };
                }
                input = output;
            }
            input.CopyTo(probabilities);
            TensorPrimitives.SoftMax(probabilities, probabilities);
        }
    }
}
