using System;
using System.Linq;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>The vectorized dropout masks against libtorch's dropout from a generator of the same seed.</summary>
    public sealed class DropoutMaskTests
    {
        [Theory]
        [InlineData(1UL, 0.2f)]
        [InlineData(5489UL, 0.5f)]
        [InlineData(0x7123456789ABCDEFUL, 0.3f)]
        [InlineData(42UL, 0.05f)]
        public void OutputsAndGradientsAreLibtorchsBitForBit(ulong seed, float rate)
        {
            var masks = new DropoutMasks(seed, rate);
            using var generator = new Generator(seed);
            using var rateScalar = rate.ToScalar();
            using var scale = (1.0 / (1.0 - rate)).ToScalar();
            using var inputs = new Generator(3);
            // Shapes that start and end the stream's 624-word blocks anywhere, and one that spans several blocks.
            foreach (long[] shape in new long[][] { [7], [60, 100], [1, 33], [256, 1024], [5, 3, 17] })
            {
                using var scope = NewDisposeScope();
                var x = randn(shape, generator: inputs).requires_grad_();
                var keep = rand(shape, generator: generator).ge_(rateScalar);
                var expected = x.mul(keep).mul_(scale);
                var actual = x.mul(masks.Next(shape));
                Assert.Equal(Bits(expected), Bits(actual));

                var outputGradient = randn(shape, generator: inputs);
                var expectedGradient = autograd.grad([expected], [x], [outputGradient])[0];
                var actualGradient = autograd.grad([actual], [x], [outputGradient])[0];
                Assert.Equal(Bits(expectedGradient), Bits(actualGradient));

                double dropped = keep.logical_not().sum().item<long>() / (double)keep.numel();
                if (keep.numel() > 10_000)
                    Assert.InRange(dropped, rate - 0.01, rate + 0.01);
            }
        }

        // Bit patterns, so that -0 and +0 differ.
        private static int[] Bits(Tensor values) => values.detach().contiguous().data<float>().Select(BitConverter.SingleToInt32Bits).ToArray();
    }
}
