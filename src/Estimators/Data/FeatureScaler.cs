using System;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Applies <see cref="InputScalingParameters"/> to float feature tensors in place, with the float operations scoring
    /// uses (<c>(x - shift) * scale</c>, then the bounded smooth clip), so the network trains on the values it will score.
    /// </summary>
    internal sealed class FeatureScaler : IDisposable
    {
        /// <summary>Rows per step: the clip's temporaries stay a few MB whatever the data's size.</summary>
        private const long RowsPerStep = 8192;

        private readonly Tensor _shift;
        private readonly Tensor _scale;
        private readonly bool _smoothClip;

        public FeatureScaler(InputScalingParameters parameters)
        {
            Parameters = parameters;
            _shift = tensor(parameters.ShiftSpan.ToArray(), [parameters.FeatureCount]);
            _scale = tensor(parameters.ScaleSpan.ToArray(), [parameters.FeatureCount]);
            _smoothClip = parameters.SmoothClip;
        }

        public InputScalingParameters Parameters { get; }

        /// <summary>Scales the rows of <paramref name="features"/> [rows, features] in place.</summary>
        public void ApplyInPlace(Tensor features)
        {
            using var noGrad = no_grad();
            long rows = features.shape[0];
            for (long start = 0; start < rows; start += RowsPerStep)
            {
                using var scope = NewDisposeScope();
                var block = features.narrow(0, start, Math.Min(RowsPerStep, rows - start));
                block.sub_(_shift).mul_(_scale);
                if (_smoothClip)
                {
                    float bound = InputScalingParameters.ClipInputBound;
                    block.clamp_(-bound, bound);
                    var t = block.mul(1f / 3f);
                    block.div_(t.mul_(t).add_(1f).sqrt_());
                }
            }
        }

        public void Dispose()
        {
            _shift.Dispose();
            _scale.Dispose();
        }
    }
}
