using System;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Folds what the model does to its input before the first dense layer, when that is affine per feature, into that
    /// layer: the input scaling <c>z = (x - shift) * scale</c> (without smooth clipping) and the input batch normalization
    /// <c>s z + (beta - s mean)</c> with <c>s = gamma / sqrt(var + eps)</c>. Composed in double, the input becomes
    /// <c>a x + c</c>, and <c>W (a x + c) + b = (W diag(a)) x + (b + W c)</c>: an ordinary layer, whose own batch
    /// normalization (if any) is unchanged.
    /// </summary>
    internal static class InputFolding
    {
        /// <param name="scaling">Input scaling to fold, or null (none, or one with a clip, which scoring applies itself).</param>
        /// <param name="batchNorm">Input batch normalization (after the scaling), or null.</param>
        /// <param name="first">The first dense layer.</param>
        public static BnMlpLayer FoldInto(InputScalingParameters scaling, BatchNormParameters batchNorm, BnMlpLayer first)
        {
            int inputs = first.InputCount, outputs = first.OutputCount;
            var scale = new double[inputs];
            var shift = new double[inputs];
            for (int i = 0; i < inputs; i++)
            {
                double a = 1, c = 0;
                if (scaling != null)
                {
                    a = scaling.ScaleSpan[i];
                    c = -(double)scaling.ShiftSpan[i] * a;
                }
                if (batchNorm != null)
                {
                    double s = batchNorm.Scale(i);
                    (a, c) = (s * a, s * c + batchNorm.BetaSpan[i] - s * batchNorm.MeanSpan[i]);
                }
                scale[i] = a;
                shift[i] = c;
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
