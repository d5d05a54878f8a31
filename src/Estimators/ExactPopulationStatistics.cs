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
        public static void Estimate(BnMlpNetwork network, TrainingRows data, int batchSize, Random random, CancellationToken cancellation)
        {
            // Only full batches of m rows, so every batch variance carries the same m / (m - 1) correction.
            int m = (int)Math.Min(batchSize, data.RowCount);
            var norms = network.Norms;
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var meanSums = norms.Select(bn => zeros(bn.num_features)).ToArray();
            var varianceSums = norms.Select(bn => zeros(bn.num_features)).ToArray();
            int batches = 0;
            // The pass can run after every validated epoch: ForEachBatch checks the cancellation token between batches.
            data.ForEachBatch(new BatchPass(m, Shuffle: true, FullBatchesOnly: true, AvoidSingleRowBatch: false), random, cancellation, batch =>
            {
                network.AccumulateBatchStatistics(batch.Features, meanSums, varianceSums);
                batches++;
            });
            double correction = m / (m - 1.0);
            for (int i = 0; i < norms.Count; i++)
            {
                norms[i].running_mean.copy_(meanSums[i].div_(batches));
                norms[i].running_var.copy_(varianceSums[i].div_(batches).mul_(correction));
            }
        }
    }
}
