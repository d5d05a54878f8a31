using System;
using System.Collections.Generic;

namespace MLNet.BatchNorm
{
    /// <summary>Where each mini-batch of a pass starts and how many rows it has, and the row orders.</summary>
    internal static class BatchPlan
    {
        /// <summary>
        /// Splits <paramref name="rows"/> into batches of <see cref="BatchPass.BatchSize"/>. With
        /// <see cref="BatchPass.FullBatchesOnly"/> the rows that do not fill a last batch are left out (a batch smaller
        /// than the others would bias the statistics pass); with <see cref="BatchPass.AvoidSingleRowBatch"/>, a last batch
        /// of one row is merged into the one before it: a single row has variance 0, which makes batch normalization's
        /// output meaningless and its statistics NaN.
        /// </summary>
        public static IReadOnlyList<(int Start, int Length)> Create(int rows, BatchPass pass)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(rows, 1);
            ArgumentOutOfRangeException.ThrowIfLessThan(pass.BatchSize, 1);
            int batchSize = pass.BatchSize;
            var batches = new List<(int, int)>(rows / batchSize + 1);
            int end = pass.FullBatchesOnly ? rows / batchSize * batchSize : rows;
            for (int start = 0; start < end; start += batchSize)
                batches.Add((start, Math.Min(batchSize, end - start)));
            if (pass.AvoidSingleRowBatch && batches.Count > 1 && batches[^1].Item2 == 1)
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
            var order = InOrder(count);
            random.Shuffle(order);
            return order;
        }

        /// <summary>The members' row orders as one, row by row: position i of every order, then position i + 1. A batch
        /// of the rows [start, start + length) of each order is then the span [start, start + length) × members.</summary>
        public static long[] Interleave(long[][] orders)
        {
            int members = orders.Length;
            var interleaved = new long[(long)orders[0].Length * members];
            for (long i = 0; i < orders[0].Length; i++)
            {
                for (int member = 0; member < members; member++)
                    interleaved[i * members + member] = orders[member][i];
            }
            return interleaved;
        }

        /// <summary>0 .. count-1.</summary>
        public static long[] InOrder(int count)
        {
            var order = new long[count];
            for (int i = 0; i < count; i++)
                order[i] = i;
            return order;
        }
    }
}
