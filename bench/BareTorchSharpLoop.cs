using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>
    /// The loop a TorchSharp user would write, on tensors already in native memory: the same network as BnMlp (Linear
    /// without bias, BatchNorm1d, ReLU per hidden layer; Linear output), SGD, contiguous batches as in the PyTorch
    /// reference. One step: zero_grad, forward, cross-entropy, backward, optimizer step.
    /// </summary>
    internal static class BareTorchSharpLoop
    {
        public static double StepsPerSecond(Tensor features, Tensor labels, int[] hidden, int batch, double seconds)
        {
            var layers = new System.Collections.Generic.List<nn.Module<Tensor, Tensor>>();
            long inputs = features.shape[1];
            foreach (int units in hidden)
            {
                layers.Add(nn.Linear(inputs, units, hasBias: false));
                layers.Add(nn.BatchNorm1d(units));
                layers.Add(nn.ReLU());
                inputs = units;
            }
            layers.Add(nn.Linear(inputs, 10));
            using var network = nn.Sequential(layers);
            network.train();
            using var optimizer = optim.SGD(network.parameters(), 0.01);
            long rows = features.shape[0];
            long offset = 0;
            void Step()
            {
                using var scope = NewDisposeScope();
                if (offset + batch > rows)
                    offset = 0;
                optimizer.zero_grad();
                var loss = F.cross_entropy(network.forward(features.narrow(0, offset, batch)), labels.narrow(0, offset, batch));
                loss.backward();
                optimizer.step();
                offset += batch;
            }
            for (int i = 0; i < 50; i++)
                Step();
            var clock = Stopwatch.StartNew();
            long steps = 0;
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                Step();
                steps++;
            }
            return steps / clock.Elapsed.TotalSeconds;
        }
    }
}
