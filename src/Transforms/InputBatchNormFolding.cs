using System;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Folds the batch normalization of the input into the first dense layer. With <c>s = gamma / sqrt(var + eps)</c>
    /// the normalized input is <c>s x + (beta - s mean)</c>, so <c>W x' + b = (W diag(s)) x + (b + W (beta - s mean))</c>:
    /// an ordinary layer, whose own batch normalization (if any) is unchanged.
    /// </summary>
    internal static class InputBatchNormFolding
    {
        public static BnMlpLayer FoldInto(BatchNormParameters input, BnMlpLayer first)
        {
            int inputs = first.InputCount, outputs = first.OutputCount;
            var scale = new double[inputs];
            var shift = new double[inputs];
            for (int i = 0; i < inputs; i++)
            {
                scale[i] = input.GammaSpan[i] / Math.Sqrt((double)input.VarianceSpan[i] + input.Epsilon);
                shift[i] = input.BetaSpan[i] - scale[i] * input.MeanSpan[i];
            }
            var source = first.WeightSpan;
            var weights = new float[inputs * outputs];
            var bias = new float[outputs];
            for (int j = 0; j < outputs; j++)
            {
                // Double precision keeps the folded layer within float rounding of the unfolded one.
                double sum = first.BiasSpan.IsEmpty ? 0 : first.BiasSpan[j];
                for (int i = 0; i < inputs; i++)
                {
                    double w = source[j * inputs + i];
                    weights[j * inputs + i] = (float)(w * scale[i]);
                    sum += w * shift[i];
                }
                bias[j] = (float)sum;
            }
            return new BnMlpLayer(inputs, outputs, weights, bias, first.BatchNorm, first.Activation);
        }
    }
}
