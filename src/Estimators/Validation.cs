using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MLNet.BatchNorm
{
    /// <summary>Log-loss and accuracy of the network in evaluation mode (population statistics, no dropout).</summary>
    internal static class Validation
    {
        private const int RowsPerChunk = 8192;

        public static (double Loss, double Accuracy) Evaluate(BnMlpNetwork network, TrainingData data)
        {
            bool wasTraining = network.training;
            network.eval();
            using var noGrad = no_grad();
            double lossSum = 0;
            long correct = 0;
            for (int start = 0; start < data.RowCount; start += RowsPerChunk)
            {
                using var scope = NewDisposeScope();
                int rows = System.Math.Min(RowsPerChunk, data.RowCount - start);
                var logits = network.forward(data.Features.narrow(0, start, rows));
                var labels = data.Labels.narrow(0, start, rows);
                lossSum += F.cross_entropy(logits, labels, reduction: nn.Reduction.Sum).item<float>();
                correct += logits.argmax(1).eq(labels).sum().item<long>();
            }
            network.train(wasTraining);
            return (lossSum / data.RowCount, (double)correct / data.RowCount);
        }
    }
}
