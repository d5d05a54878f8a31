using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>Mean loss and accuracy of the network in evaluation mode (population statistics, no dropout).</summary>
    internal static class Validation
    {
        private const int RowsPerChunk = 8192;

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
