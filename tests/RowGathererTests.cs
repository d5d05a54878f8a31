using System;
using Xunit;
using static TorchSharp.torch;

namespace MLNet.BatchNorm.Tests
{
    public sealed class RowGathererTests
    {
        [Theory]
        [InlineData(20, 16)]   // 1.3 KB batches: copied on the loop's thread
        [InlineData(300, 64)]  // 75 KB batches: copied on a worker thread, one batch ahead
        public void GatheredBatchesEqualIndexSelectInTheShuffledOrder(int features, int batchSize)
        {
            const int rows = 1000;
            using var data = rand(rows, features);
            long[] order = BatchPlan.RandomOrder(rows, new Random(3));
            using var orderTensor = tensor(order, [rows]);
            var batches = BatchPlan.Create(rows, new BatchPass(batchSize, Shuffle: true, FullBatchesOnly: false, AvoidSingleRowBatch: true));
            using var gatherer = new RowGatherer(data, order, batchSize + 1);
            gatherer.Start(0, batches[0].Start, batches[0].Length);
            for (int k = 0; k < batches.Count; k++)
            {
                using var scope = NewDisposeScope();
                var (start, length) = batches[k];
                var gathered = gatherer.Take(k % 2, length);
                if (k + 1 < batches.Count)
                    gatherer.Start((k + 1) % 2, batches[k + 1].Start, batches[k + 1].Length);
                var expected = data.index_select(0, orderTensor.narrow(0, start, length));
                Assert.Equal(new long[] { length, features }, gathered.shape);
                Assert.True(gathered.eq(expected).all().item<bool>(), $"batch {k} differs from index_select");
            }
        }
    }
}
