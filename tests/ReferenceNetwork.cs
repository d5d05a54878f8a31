using System;
using System.Linq;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>
    /// Inference written from the public model parameters alone, in double precision and without folding:
    /// per layer W x (+ b), then gamma (h - mean) / sqrt(var + eps) + beta, then the activation; softmax at the end.
    /// </summary>
    internal static class ReferenceNetwork
    {
        public static double[] Probabilities(BnMlpModelParameters model, float[] features)
        {
            double[] x = features.Select(v => (double)v).ToArray();
            foreach (var layer in model.Layers)
            {
                var h = new double[layer.OutputCount];
                for (int j = 0; j < h.Length; j++)
                {
                    double sum = layer.Bias?[j] ?? 0;
                    for (int i = 0; i < layer.InputCount; i++)
                        sum += layer.Weights[j * layer.InputCount + i] * x[i];
                    if (layer.BatchNorm is { } bn)
                        sum = bn.Gamma[j] * (sum - bn.Mean[j]) / Math.Sqrt(bn.Variance[j] + (double)bn.Epsilon) + bn.Beta[j];
                    h[j] = layer.Activation switch
                    {
                        BnMlpActivation.ReLU => Math.Max(0, sum),
                        BnMlpActivation.Sigmoid => 1 / (1 + Math.Exp(-sum)),
                        BnMlpActivation.Tanh => Math.Tanh(sum),
                        _ => sum,
                    };
                }
                x = h;
            }
            double max = x.Max();
            var exp = x.Select(v => Math.Exp(v - max)).ToArray();
            double total = exp.Sum();
            return exp.Select(v => v / total).ToArray();
        }
    }
}
