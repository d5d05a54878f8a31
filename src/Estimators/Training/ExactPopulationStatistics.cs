using System;
using System.Linq;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The paper's inference statistics (Ioffe and Szegedy 2015, Algorithm 2): with the weights frozen, one pass over
    /// the training data in shuffled mini-batches of the training size m; mean = E[batch mean],
    /// variance = m / (m - 1) E[batch variance], the mean of the batches' unbiased variances. Costs one forward pass
    /// without gradients, whose two halves run on two cores where they can
    /// (<see cref="TrainingRows.ForEachFeatureBatchInHalves"/>): each half averages its batches, and the halves' averages
    /// are merged weighted by their numbers of batches.
    /// </summary>
    internal static class ExactPopulationStatistics
    {
        public static void Estimate(BnMlpNetwork network, TrainingRows data, int batchSize, Random random, FitCancellation cancellation)
        {
            // Only full batches of m rows, so every batch variance carries the same m / (m - 1) correction.
            int m = (int)Math.Min(batchSize, data.RowCount);
            Tensor[][] averages = [network.NewStatisticsAverages(), network.NewStatisticsAverages()];
            int[] batches = new int[2];
            try
            {
                // The pass can run after every validated epoch: it checks for cancellation between batches.
                data.ForEachFeatureBatchInHalves(new BatchPass(m, Shuffle: true, FullBatchesOnly: true, AvoidSingleRowBatch: false), random, cancellation,
                    (half, features, number) =>
                    {
                        network.AccumulatePopulationStatistics(features, averages[half], number);
                        batches[half] = number;
                    });
                network.SetPopulationStatistics([(averages[0], batches[0]), (averages[1], batches[1])]);
            }
            finally
            {
                foreach (var statistic in averages.SelectMany(half => half))
                    statistic.Dispose();
            }
        }
    }
}
