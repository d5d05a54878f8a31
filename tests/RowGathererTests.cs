using System;
using Xunit;
using static TorchSharp.torch;

namespace MLNet.BatchNorm.Tests
{
    public sealed class RowGathererTests
    {
        [Fact]
        public void GatheredBatchesEqualIndexSelectInTheShuffledOrder()
        {
            const int rows = 1000, features = 37, batchSize = 64;
            using var data = rand(rows, features);
            long[] order = BatchPlan.RandomOrder(rows, new Random(3));
            using var orderTensor = tensor(order, [rows]);
            var batches = BatchPlan.Create(rows, new BatchPass(batchSize, Shuffle: true, FullBatchesOnly: false, AvoidSingleRowBatch: true));
            using var gatherer = new RowGatherer(data, order, batchSize + 1);
            foreach (var (start, length) in batches)
            {
                using var scope = NewDisposeScope();
                var gathered = gatherer.Gather(start, length);
                var expected = data.index_select(0, orderTensor.narrow(0, start, length));
                Assert.Equal(new long[] { length, features }, gathered.shape);
                Assert.True(gathered.eq(expected).all().item<bool>(), $"the batch at {start} differs from index_select");
            }
        }
    }
}
