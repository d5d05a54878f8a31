using System;
using System.Linq;
using System.Threading;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The paper's inference statistics (Ioffe and Szegedy 2015, Algorithm 2): with the weights frozen, one pass over
    /// the training data in shuffled mini-batches of the training size m; mean = E[batch mean],
    /// variance = m / (m - 1) E[batch variance]. Costs one forward pass without gradients.
    /// </summary>
    internal static class ExactPopulationStatistics
    {
        public static void Estimate(BnMlpNetwork network, TrainingData data, int batchSize, Random random, CancellationToken cancellation)
        {
            int rows = data.RowCount;
            // Only full batches of m rows, so every batch variance carries the same m / (m - 1) correction.
            int m = Math.Min(batchSize, rows);
            int batches = rows / m;
            var norms = network.Norms;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var meanSums = norms.Select(bn => zeros(bn.num_features)).ToArray();
            var varianceSums = norms.Select(bn => zeros(bn.num_features)).ToArray();
            using var order = tensor(BatchPlan.RandomOrder(rows, random), [rows]);
            for (int b = 0; b < batches; b++)
            {
                // The pass can run after every validated epoch: cancelling must not wait for it.
                cancellation.ThrowIfCancellationRequested();
                using var batchScope = NewDisposeScope();
                var index = order.narrow(0, (long)b * m, m);
                network.AccumulateBatchStatistics(data.Features.index_select(0, index), meanSums, varianceSums);
            }
            double correction = m / (m - 1.0);
            for (int i = 0; i < norms.Count; i++)
            {
                norms[i].running_mean.copy_(meanSums[i].div_(batches));
                norms[i].running_var.copy_(varianceSums[i].div_(batches).mul_(correction));
            }
        }
    }
}
