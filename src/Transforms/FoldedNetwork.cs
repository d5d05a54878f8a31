using System;
using System.Numerics.Tensors;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Inference network: every batch-normalization layer folded into the dense layer before it
    /// (<c>W' = diag(s) W</c>, <c>b' = beta + s (b - mean)</c>, <c>s = gamma / sqrt(var + eps)</c>, stored input-major), so a row costs one
    /// chain of dense layers. Immutable and shared by all threads; each caller brings its own <see cref="Workspace"/>.
    /// </summary>
    internal sealed class FoldedNetwork
    {
        private readonly DenseLayer[] _layers;

        public FoldedNetwork(BnMlpLayer[] layers)
        {
            _layers = new DenseLayer[layers.Length];
            for (int i = 0; i < layers.Length; i++)
                _layers[i] = Fold(layers[i]);
            InputCount = layers[0].InputCount;
            OutputCount = layers[^1].OutputCount;
            foreach (var layer in layers)
                MaxWidth = Math.Max(MaxWidth, layer.OutputCount);
        }

        public int InputCount { get; }

        public int OutputCount { get; }

        public int MaxWidth { get; }

        /// <summary>Computes class probabilities (softmax of the logits) for one row.</summary>
        public void Predict(ReadOnlySpan<float> features, Span<float> probabilities, Workspace workspace)
        {
            ReadOnlySpan<float> input = features;
            for (int i = 0; i < _layers.Length; i++)
            {
                var layer = _layers[i];
                Span<float> output = i == _layers.Length - 1
                    ? probabilities
                    : (i % 2 == 0 ? workspace.Even : workspace.Odd).AsSpan(0, layer.OutputCount);
                layer.Apply(input, output);
                input = output;
            }
            Softmax(probabilities);
        }

        /// <summary>Numerically stable softmax in place.</summary>
        public static void Softmax(Span<float> values)
        {
            float max = TensorPrimitives.Max(values);
            TensorPrimitives.Subtract(values, max, values);
            TensorPrimitives.Exp(values, values);
            float sum = TensorPrimitives.Sum(values);
            TensorPrimitives.Divide(values, sum, values);
        }

        private static DenseLayer Fold(BnMlpLayer layer)
        {
            int inputs = layer.InputCount, outputs = layer.OutputCount;
            var bias = new float[outputs];
            if (!layer.BiasSpan.IsEmpty)
                layer.BiasSpan.CopyTo(bias);
            var scale = new double[outputs];
            scale.AsSpan().Fill(1);
            if (layer.BatchNorm is { } bn)
            {
                for (int j = 0; j < outputs; j++)
                {
                    // Double precision keeps the folded layer within float rounding of the unfolded one.
                    scale[j] = bn.GammaSpan[j] / Math.Sqrt((double)bn.VarianceSpan[j] + bn.Epsilon);
                    bias[j] = (float)(bn.BetaSpan[j] + scale[j] * (bias[j] - bn.MeanSpan[j]));
                }
            }
            // Input-major layout: input i's weights to every unit are contiguous, so a row adds one vector per
            // non-zero input (MNIST rows are 80% zeros, ReLU outputs about half).
            var weights = new float[inputs * outputs];
            var source = layer.WeightSpan;
            for (int j = 0; j < outputs; j++)
            {
                for (int i = 0; i < inputs; i++)
                    weights[i * outputs + j] = (float)(scale[j] * source[j * inputs + i]);
            }
            return new DenseLayer(weights, bias, layer.Activation);
        }

        /// <summary>Per-caller scratch memory, so that prediction allocates nothing.</summary>
        internal sealed class Workspace
        {
            public Workspace(FoldedNetwork network)
            {
                Even = new float[network.MaxWidth];
                Odd = new float[network.MaxWidth];
            }

            public float[] Even { get; }

            public float[] Odd { get; }
        }

        private sealed class DenseLayer
        {
            private readonly float[] _weights;
            private readonly float[] _bias;
            private readonly BnMlpActivation? _activation;

            public DenseLayer(float[] weights, float[] bias, BnMlpActivation? activation)
            {
                _weights = weights;
                _bias = bias;
                _activation = activation;
            }

            public int OutputCount => _bias.Length;

            public void Apply(ReadOnlySpan<float> input, Span<float> output)
            {
                ReadOnlySpan<float> weights = _weights;
                int outputs = _bias.Length;
                _bias.CopyTo(output);
                for (int i = 0; i < input.Length; i++)
                {
                    float x = input[i];
                    if (x != 0)
                        TensorPrimitives.MultiplyAdd(weights.Slice(i * outputs, outputs), x, output, output);
                }
                switch (_activation)
                {
                    case BnMlpActivation.ReLU:
                        TensorPrimitives.Max(output, 0f, output);
                        break;
                    case BnMlpActivation.Sigmoid:
                        TensorPrimitives.Sigmoid(output, output);
                        break;
                    case BnMlpActivation.Tanh:
                        TensorPrimitives.Tanh(output, output);
                        break;
                }
            }
        }
    }
}
