using System;
using System.Linq;
using Xunit;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>The whole-buffer optimizer against TorchSharp's own, on twin networks fed the same batches.</summary>
    public sealed class FusedOptimizerTests
    {
        [Theory]
        [InlineData(BnMlpOptimizer.Sgd, 0.0)]
        [InlineData(BnMlpOptimizer.Sgd, 1e-3)]
        [InlineData(BnMlpOptimizer.SgdMomentum, 0.0)]
        [InlineData(BnMlpOptimizer.SgdMomentum, 1e-3)]
        [InlineData(BnMlpOptimizer.Adam, 0.0)]
        [InlineData(BnMlpOptimizer.Adam, 1e-3)]
        public void StepsGiveTheParametersOfTorchSharpsOptimizerBitForBit(BnMlpOptimizer kind, double weightDecay)
        {
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [12, 7], BatchNormOnInput = true, DropoutRate = 0 };
            using var fusedNetwork = new BnMlpNetwork(20, 4, options, new Random(5));
            using var referenceNetwork = new BnMlpNetwork(20, 4, options, new Random(5));
            const double learningRate = 0.05, momentum = 0.9;
            using var fused = new FusedOptimizer(fusedNetwork, kind, learningRate, momentum, weightDecay);
            using optim.Optimizer reference = kind switch
            {
                BnMlpOptimizer.Sgd => optim.SGD(referenceNetwork.parameters(), learningRate, weight_decay: weightDecay),
                BnMlpOptimizer.SgdMomentum => optim.SGD(referenceNetwork.parameters(), learningRate, momentum: momentum, weight_decay: weightDecay),
                _ => optim.Adam(referenceNetwork.parameters(), learningRate, weight_decay: weightDecay),
            };
            var initial = referenceNetwork.parameters().Select(p => p.data<float>().ToArray()).ToArray();
            var generator = new Generator(17);
            for (int step = 0; step < 6; step++)
            {
                using var scope = NewDisposeScope();
                var features = randn([16, 20], generator: generator);
                var labels = randint(0, 4, [16], generator: generator);
                fused.ZeroGradients();
                F.cross_entropy(fusedNetwork.forward(features), labels).backward();
                fused.Step();
                reference.zero_grad();
                F.cross_entropy(referenceNetwork.forward(features), labels).backward();
                reference.step();
            }
            var fusedParameters = fusedNetwork.parameters().ToArray();
            var referenceParameters = referenceNetwork.parameters().ToArray();
            Assert.Equal(referenceParameters.Length, fusedParameters.Length);
            for (int i = 0; i < fusedParameters.Length; i++)
            {
                float[] expected = referenceParameters[i].data<float>().ToArray();
                Assert.NotEqual(initial[i], expected);
                Assert.Equal(expected, fusedParameters[i].data<float>().ToArray());
            }
        }
    }
}
