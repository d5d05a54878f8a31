using System;
using System.Collections.Generic;
using System.Linq;
using MLNet.BatchNorm;

namespace MLNet.BatchNorm.TestSupport
{
    /// <summary>
    /// Inference written from the public model parameters alone, in double precision and without folding: the input's
    /// piecewise-linear encoding, scaling (and smooth clip) and batch normalization where there are some, then per layer W x (+ b), then gamma (h - mean) / sqrt(var + eps) + beta with
    /// the population statistics, then the activation.
    /// The plots use its per-layer values; the tests use it as the reference the folded scorer must match.
    /// </summary>
    public static class ReferenceForward
    {
        /// <summary>Every layer's values before its activation (after batch normalization where there is one); the last
        /// entry is the output layer's logits.</summary>
        public static double[][] PreActivations(BnMlpModelParameters model, float[] features)
        {
            var result = new double[model.Layers.Count][];
            double[] x = NormalizedInput(model, features);
            for (int l = 0; l < model.Layers.Count; l++)
            {
                var layer = model.Layers[l];
                var h = new double[layer.OutputCount];
                for (int j = 0; j < h.Length; j++)
                {
                    double sum = layer.Bias?[j] ?? 0;
                    for (int i = 0; i < layer.InputCount; i++)
                        sum += layer.Weights[j * layer.InputCount + i] * x[i];
                    h[j] = layer.BatchNorm is { } bn ? Normalize(bn, j, sum) : sum;
                }
                result[l] = h;
                x = h.Select(v => Activate(layer.Activation, v)).ToArray();
            }
            return result;
        }

        /// <summary>Each hidden layer's values before the activation (after BN with its population statistics, when there
        /// is BN) for the given rows: [layer][row * units + unit].</summary>
        public static double[][] HiddenPreActivations(BnMlpModelParameters model, IEnumerable<float[]> rows)
        {
            int hidden = model.Layers.Count - 1;
            var values = Enumerable.Range(0, hidden).Select(_ => new List<double>()).ToArray();
            foreach (var features in rows)
            {
                var layers = PreActivations(model, features);
                for (int l = 0; l < hidden; l++)
                    values[l].AddRange(layers[l]);
            }
            return values.Select(v => v.ToArray()).ToArray();
        }

        /// <summary>The features after the input's encoding, scaling and batch normalization (population statistics);
        /// unchanged without them.</summary>
        public static double[] NormalizedInput(BnMlpModelParameters model, float[] features)
        {
            var x = model.InputEncoding is { } encoding ? Encode(encoding, features) : features.Select(v => (double)v).ToArray();
            if (model.InputScaling is { } scaling)
                x = x.Select((v, i) => Scale(scaling, i, v)).ToArray();
            return model.InputBatchNorm is { } bn ? x.Select((v, i) => Normalize(bn, i, v)).ToArray() : x;
        }

        /// <summary>Per feature, its value, or per bin between consecutive edges how far the value has filled it.</summary>
        private static double[] Encode(PiecewiseLinearEncoding encoding, float[] features) =>
            features.SelectMany((value, j) => encoding.Edges[j].Count == 0
                ? [(double)value]
                : Enumerable.Range(1, encoding.Edges[j].Count - 1).Select(k =>
                    Math.Clamp((value - (double)encoding.Edges[j][k - 1]) / ((double)encoding.Edges[j][k] - encoding.Edges[j][k - 1]), 0, 1))).ToArray();

        private static double Scale(InputScalingParameters scaling, int feature, double value)
        {
            double z = (value - scaling.Shift[feature]) * scaling.Scale[feature];
            return scaling.SmoothClip ? z / Math.Sqrt(1 + z / 3 * (z / 3)) : z;
        }

        private static double Normalize(BatchNormParameters bn, int unit, double value) =>
            bn.Gamma[unit] * (value - bn.Mean[unit]) / Math.Sqrt(bn.Variance[unit] + (double)bn.Epsilon) + bn.Beta[unit];

        /// <summary>The activation function; the identity for the output layer (null).</summary>
        public static double Activate(BnMlpActivation? activation, double value) => activation switch
        {
            BnMlpActivation.ReLU => Math.Max(0, value),
            BnMlpActivation.Sigmoid => 1 / (1 + Math.Exp(-value)),
            BnMlpActivation.Tanh => Math.Tanh(value),
            _ => value,
        };
    }
}
