using System;
using System.Linq;
using System.Runtime.Intrinsics;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// SGD, SGD with momentum and Adam over all of a network's parameters at once. The parameters are moved into one
    /// native buffer (each parameter tensor becomes a view of its slice) and their gradients into another, which
    /// backward accumulates into in place; zeroing the gradients and an update are then a handful of whole-buffer ops
    /// (Adam: two vector passes over the buffers and one op), where TorchSharp's optimizers run several small ops, and
    /// make several managed wrappers, per parameter tensor: for the small networks of tabular data the steps are bound
    /// by such per-op overhead. The arithmetic is TorchSharp's (PyTorch's), element for element, so the results are the
    /// same bit for bit.
    /// <para>
    /// Every number passed to an op, the alpha of 1 that add_ would otherwise make for itself included, is an explicit
    /// <see cref="Scalar"/> that lives until the op returns: here the constant ones for the optimizer's lifetime, the
    /// per-step ones in a using. TorchSharp converts a bare number to a Scalar implicitly, whose native copy only its
    /// finalizer frees, and nothing keeps that Scalar alive during the native call: a garbage collection caused by
    /// another thread can finalize it mid-call, and the op then reads freed, possibly reused memory (seen as "For
    /// integral input tensors, argument alpha must not be a floating point number" or "Unknown scalar type", or as a
    /// wrong value). The same holds in the network and the loss.
    /// </para>
    /// </summary>
    internal sealed class FusedOptimizer : IDisposable
    {
        // TorchSharp's and PyTorch's Adam defaults.
        private const double Beta1 = 0.9;
        private const double Beta2 = 0.999;
        private const double AdamEpsilon = 1e-8;

        private readonly BnMlpOptimizer _kind;
        private readonly Scalar _one = 1.ToScalar();
        private readonly Scalar _momentum;
        private readonly Scalar _weightDecay;
        private readonly Tensor _parameters;
        private readonly Tensor _gradients;
        private readonly Tensor _firstMoments;
        private readonly Tensor _secondMoments;
        private readonly Tensor _scratch;
        private int _steps;

        /// <summary>Moves <paramref name="network"/>'s parameters into one buffer, keeping their values.</summary>
        public FusedOptimizer(nn.Module network, BnMlpOptimizer kind, double learningRate, double momentum, double weightDecay)
        {
            _kind = kind;
            _momentum = momentum.ToScalar();
            _weightDecay = weightDecay == 0 ? null : weightDecay.ToScalar();
            LearningRate = learningRate;
            var parameters = network.parameters().ToArray();
            long total = parameters.Sum(p => p.numel());
            _parameters = empty(total);
            _gradients = zeros(total);
            using (no_grad())
            {
                long offset = 0;
                foreach (var parameter in parameters)
                {
                    long count = parameter.numel();
                    using var valueSlice = _parameters.narrow(0, offset, count);
                    using var values = valueSlice.view(parameter.shape);
                    values.copy_(parameter);
                    parameter.set_(values);
                    using var gradientSlice = _gradients.narrow(0, offset, count);
                    using var gradient = gradientSlice.view(parameter.shape);
                    parameter.grad = gradient;
                    offset += count;
                }
            }
            if (kind != BnMlpOptimizer.Sgd)
                _firstMoments = zeros(total);
            if (kind == BnMlpOptimizer.Adam)
            {
                _secondMoments = zeros(total);
                _scratch = empty(total);
            }
        }

        /// <summary>The learning rate of the next steps.</summary>
        public double LearningRate { get; set; }

        /// <summary>Sets every gradient to zero, before a backward pass accumulates into them.</summary>
        public void ZeroGradients() => _gradients.zero_();

        /// <summary>Updates every parameter from its gradient.</summary>
        public void Step()
        {
            using var noGrad = no_grad();
            _steps++;
            if (_weightDecay != null)
                _gradients.add_(_parameters, alpha: _weightDecay);
            switch (_kind)
            {
                case BnMlpOptimizer.Sgd:
                {
                    using var step = (-LearningRate).ToScalar();
                    _parameters.add_(_gradients, alpha: step);
                    break;
                }
                case BnMlpOptimizer.SgdMomentum:
                {
                    // PyTorch starts the momentum buffer as the first gradient: 0 * momentum + gradient is that gradient.
                    _firstMoments.mul_(_momentum).add_(_gradients, alpha: _one);
                    using var step = (-LearningRate).ToScalar();
                    _parameters.add_(_firstMoments, alpha: step);
                    break;
                }
                default:
                    AdamStep();
                    break;
            }
        }

        /// <summary>Adam's update in two passes over the buffers and one square root op, where nine whole-buffer ops read
        /// and wrote them nine times: element for element the arithmetic of TorchSharp's Adam in float (PyTorch's add_
        /// with alpha and addcmul_ are fused multiply-adds, as its vector kernels compute them). The square roots stay
        /// libtorch's own: oneMKL computes them, not always rounded as IEEE's.</summary>
        private void AdamStep()
        {
            double biasCorrection1 = 1 - Math.Pow(Beta1, _steps);
            double biasCorrection2 = 1 - Math.Pow(Beta2, _steps);
            // PyTorch converts each scalar to the tensors' float.
            float beta1 = (float)Beta1, beta2 = (float)Beta2, oneMinusBeta1 = (float)(1 - Beta1), oneMinusBeta2 = (float)(1 - Beta2);
            float secondCorrection = (float)Math.Sqrt(biasCorrection2), epsilon = (float)AdamEpsilon, step = (float)(-LearningRate / biasCorrection1);
            var firstMoments = NativeRows.Values(_firstMoments);
            var secondMoments = NativeRows.Values(_secondMoments);
            var gradients = NativeRows.Values(_gradients);
            int count = gradients.Length, i = 0;
            for (; i + Vector512<float>.Count <= count; i += Vector512<float>.Count)
            {
                var g = Vector512.Create(gradients.Slice(i, Vector512<float>.Count));
                var m = Vector512.Create(firstMoments.Slice(i, Vector512<float>.Count));
                var v = Vector512.Create(secondMoments.Slice(i, Vector512<float>.Count));
                Vector512.FusedMultiplyAdd(g, Vector512.Create(oneMinusBeta1), m * beta1).CopyTo(firstMoments.Slice(i));
                Vector512.FusedMultiplyAdd(oneMinusBeta2 * g, g, v * beta2).CopyTo(secondMoments.Slice(i));
            }
            for (; i < count; i++)
            {
                float g = gradients[i];
                firstMoments[i] = MathF.FusedMultiplyAdd(g, oneMinusBeta1, firstMoments[i] * beta1);
                secondMoments[i] = MathF.FusedMultiplyAdd(oneMinusBeta2 * g, g, secondMoments[i] * beta2);
            }

            _scratch.copy_(_secondMoments).sqrt_();
            var roots = NativeRows.Values(_scratch);
            var parameters = NativeRows.Values(_parameters);
            for (i = 0; i + Vector512<float>.Count <= count; i += Vector512<float>.Count)
            {
                var m = Vector512.Create(firstMoments.Slice(i, Vector512<float>.Count));
                var denominator = Vector512.Create(roots.Slice(i, Vector512<float>.Count)) / secondCorrection + Vector512.Create(epsilon);
                (Vector512.Create(parameters.Slice(i, Vector512<float>.Count)) + step * m / denominator).CopyTo(parameters.Slice(i));
            }
            for (; i < count; i++)
                parameters[i] += step * firstMoments[i] / (roots[i] / secondCorrection + epsilon);
        }

        public void Dispose()
        {
            foreach (var scalar in new[] { _one, _momentum, _weightDecay })
                scalar?.Dispose();
            _parameters.Dispose();
            _gradients.Dispose();
            _firstMoments?.Dispose();
            _secondMoments?.Dispose();
            _scratch?.Dispose();
        }
    }
}
