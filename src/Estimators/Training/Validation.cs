using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>Mean loss and accuracy of the network in evaluation mode (population statistics, no dropout).</summary>
    internal static class Validation
    {
        /// <summary>Rows per forward pass. A 1,024-unit layer's output for 8,192 rows took 32 MB, which glibc always maps
        /// afresh (its largest threshold for reusing freed memory), so every chunk paid page faults for each layer's output:
        /// Fashion-MNIST's 10,000 validation rows through 784-1024-256-10 took 240 ms in chunks of 8,192 rows against 107 ms
        /// in chunks of 2,048.</summary>
        private const int RowsPerChunk = 2048;

        /// <returns>The mean loss, and the fraction of rows whose most probable class is right (null for a regressor).</returns>
        public static (double Loss, double? Accuracy) Evaluate(BnMlpNetwork network, InMemoryTrainingRows data, TrainingObjective objective, FitCancellation cancellation)
        {
            bool wasTraining = network.training;
            network.eval();
            using var noGrad = no_grad();
            double lossSum = 0;
            long correct = 0;
            for (int start = 0; start < data.RowCount; start += RowsPerChunk)
            {
                cancellation.ThrowIfCancelled();
                using var scope = NewDisposeScope();
                long rows = System.Math.Min(RowsPerChunk, data.RowCount - start);
                var outputs = network.forward(data.Features.narrow(0, start, rows));
                var labels = data.Labels.narrow(0, start, rows);
                lossSum += objective.Loss(outputs, labels, nn.Reduction.Sum).item<float>();
                if (objective.IsClassification)
                    correct += objective.CorrectCount(outputs, labels).item<long>();
            }
            network.train(wasTraining);
            return (lossSum / data.RowCount, objective.IsClassification ? (double)correct / data.RowCount : null);
        }
    }
}
