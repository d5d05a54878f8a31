using System;
using System.Collections.Generic;

namespace MLNet.BatchNorm
{
    /// <summary>Where each mini-batch of an epoch starts and how many rows it has.</summary>
    internal static class BatchPlan
    {
        /// <summary>
        /// Splits <paramref name="rows"/> into batches of <paramref name="batchSize"/>. With
        /// <paramref name="avoidSingleRowBatch"/>, a last batch of one row is merged into the one before it: a single
        /// row has variance 0, which makes batch normalization's output meaningless and its statistics NaN.
        /// </summary>
        public static IReadOnlyList<(int Start, int Length)> Create(int rows, int batchSize, bool avoidSingleRowBatch)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
            var batches = new List<(int, int)>(rows / batchSize + 1);
            for (int start = 0; start < rows; start += batchSize)
                batches.Add((start, Math.Min(batchSize, rows - start)));
            if (avoidSingleRowBatch && batches.Count > 1 && batches[^1].Item2 == 1)
            {
                var (start, length) = batches[^2];
                batches.RemoveAt(batches.Count - 1);
                batches[^1] = (start, length + 1);
            }
            return batches;
        }

        /// <summary>A uniformly random order of 0 .. count-1 (Fisher-Yates), from the trainer's seeded source.</summary>
        public static long[] RandomOrder(int count, Random random)
        {
            var order = new long[count];
            for (int i = 0; i < count; i++)
                order[i] = i;
            random.Shuffle(order);
            return order;
        }
    }
}
