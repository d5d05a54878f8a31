using System;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The paper's inference statistics (Ioffe and Szegedy 2015, Algorithm 2): with the weights frozen, one pass over
    /// the training data in shuffled mini-batches of the training size m; mean = E[batch mean],
    /// variance = m / (m - 1) E[batch variance], the mean of the batches' unbiased variances. Costs one forward pass
    /// without gradients.
    /// </summary>
    internal static class ExactPopulationStatistics
    {
        public static void Estimate(BnMlpNetwork network, TrainingRows data, int batchSize, Random random, FitCancellation cancellation)
        {
            // Only full batches of m rows, so every batch variance carries the same m / (m - 1) correction.
            int m = (int)Math.Min(batchSize, data.RowCount);
            using var noGrad = no_grad();
            int batches = 0;
            // The pass can run after every validated epoch: ForEachBatch checks for cancellation between batches.
            data.ForEachBatch(new BatchPass(m, Shuffle: true, FullBatchesOnly: true, AvoidSingleRowBatch: false), random, cancellation,
                batch => network.AccumulatePopulationStatistics(batch.Features, ++batches));
        }
    }
}
