using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>How one pass over the training rows is cut into mini-batches.</summary>
    /// <param name="BatchSize">Rows per batch.</param>
    /// <param name="Shuffle">A new random row order (else the data's order).</param>
    /// <param name="FullBatchesOnly">Leave out the rows that do not fill a last batch (the statistics pass).</param>
    /// <param name="AvoidSingleRowBatch">Merge a last batch of one row into the one before (batch normalization).</param>
    /// <param name="Members">Networks trained side by side, each on its own row order: a batch then holds each member's
    /// batch, interleaved (row 1 of every member, then row 2; see <see cref="BatchPlan.Interleave"/>).</param>
    internal readonly record struct BatchPass(int BatchSize, bool Shuffle, bool FullBatchesOnly, bool AvoidSingleRowBatch, int Members = 1);

    /// <summary>One mini-batch: features [rows, features], labels [rows], weights [rows] or null (rows × members, of a
    /// pass for several members); its 1-based number in the pass and the number of batches of the pass when it is known
    /// in advance.</summary>
    internal readonly record struct TrainingBatch(Tensor Features, Tensor Labels, Tensor Weights, int Number, int? Count);

    /// <summary>
    /// The training rows the loop draws mini-batches from: held in native memory (<see cref="InMemoryTrainingRows"/>), or read
    /// from the IDataView window by window when they do not fit the memory budget (<see cref="StreamingTrainingRows"/>).
    /// </summary>
    internal abstract class TrainingRows : IDisposable
    {
        public abstract int FeatureCount { get; }

        /// <summary>Units of the network's output layer: classes, or 1 (a binary logit, a regression value).</summary>
        public abstract int OutputCount { get; }

        /// <summary>Rows with a label (for streamed rows, an upper bound until one pass has counted them).</summary>
        public abstract long RowCount { get; }

        /// <summary>The largest absolute feature value of the rows (for streamed rows, of those read so far).</summary>
        public abstract float LargestFeatureMagnitude { get; }

        /// <summary>Per-feature mean and variance of all rows, in double (one pass over streamed rows, which also counts them).</summary>
        public abstract FeatureStatistics ComputeStatistics(FitCancellation cancellation);

        /// <summary>From now on the network sees the features scaled by <paramref name="scaler"/>: scaled in place, or each
        /// streamed window as it is read.</summary>
        public abstract void ScaleWith(FeatureScaler scaler);

        /// <summary>One pass over the rows: hands each mini-batch to <paramref name="step"/> inside a dispose scope of its
        /// own, so its tensors are freed when the step returns.</summary>
        public abstract void ForEachBatch(BatchPass pass, Random random, FitCancellation cancellation, Action<TrainingBatch> step);

        /// <summary>
        /// One pass over the features alone, without gradients, its batches in two halves: <paramref name="step"/> gets
        /// (half, features, the batch's 1-based number in its half). Rows in memory: the first half of the batches, then
        /// the rest (see <see cref="InMemoryTrainingRows"/>); streamed rows: every batch in half 0.
        /// </summary>
        public virtual void ForEachFeatureBatchInHalves(BatchPass pass, Random random, FitCancellation cancellation, Action<int, Tensor, int> step)
        {
            using var noGrad = no_grad();
            ForEachBatch(pass, random, cancellation, batch => step(0, batch.Features, batch.Number));
        }

        public abstract void Dispose();

        /// <summary>Reads <paramref name="data"/> into native memory, or prepares to stream it when its features take more
        /// than <see cref="BnMlpOptionsBase.MemoryBudgetMegabytes"/>.</summary>
        public static TrainingRows Open(IHostEnvironment env, IChannel ch, IDataView data, BnMlpOptionsBase options, BnMlpModelKind kind)
        {
            var (schema, rows) = Inspect(env, data, options, kind, "training data");
            long budget = (long)options.MemoryBudgetMegabytes << 20;
            if (rows * StreamingTrainingRows.BytesPerRow(schema) <= budget)
                return InMemoryTrainingRows.Load(env, ch, data, schema, rows);
            if (options.ValidationFraction > 0)
                throw env.Except($"ValidationFraction needs the training rows in memory, but they take more than MemoryBudgetMegabytes ({options.MemoryBudgetMegabytes}); " +
                    "pass validation data to Fit(train, validation) instead.");
            ch.Info($"The training data ({rows} rows x {schema.FeatureCount} features) is larger than the memory budget of {options.MemoryBudgetMegabytes} MB: streaming it.");
            return new StreamingTrainingRows(env, ch, data, schema, rows, budget, options.BatchSizeFor(rows));
        }

        /// <summary>Checks the columns of <paramref name="data"/> and counts its rows (reading no column when the view does
        /// not know its row count); refuses empty data, naming its <paramref name="role"/>.</summary>
        private protected static (TrainingSchema Schema, long Rows) Inspect(IHostEnvironment env, IDataView data, BnMlpOptionsBase options,
            BnMlpModelKind kind, string role)
        {
            var schema = TrainingSchema.Check(env, data.Schema, options, kind);
            long rows = data.GetRowCount() ?? CountRows(data);
            if (rows == 0)
                throw env.Except($"The {role} is empty: BnMlp needs at least two rows with a label.");
            return (schema, rows);
        }

        /// <summary>
        /// One pass over the rows of <paramref name="features"/>, <paramref name="labels"/> and <paramref name="weights"/>
        /// (the whole data, or one streamed window): cut by <paramref name="pass"/>, each batch gathered by index (the
        /// features by a <see cref="RowGatherer"/>, into a buffer the batches share) inside a dispose scope of its own.
        /// Batches are numbered from <paramref name="number"/> + 1; with <paramref name="wholePass"/> these are all the
        /// pass's rows, so each batch also carries the pass's batch count.
        /// </summary>
        private protected static void ForEachBatchOf(Tensor features, Tensor labels, Tensor weights, BatchPass pass, Random random,
            FitCancellation cancellation, bool wholePass, ref int number, Action<TrainingBatch> step)
        {
            int rows = (int)features.shape[0];
            var batches = BatchPlan.Create(rows, pass);
            int? count = wholePass ? batches.Count : null;
            int members = pass.Members;
            long[] Order() => pass.Shuffle ? BatchPlan.RandomOrder(rows, random) : BatchPlan.InOrder(rows);
            long[] rowOrder = members == 1 ? Order() : BatchPlan.Interleave(Enumerable.Range(0, members).Select(_ => Order()).ToArray());
            using var order = tensor(rowOrder, [rowOrder.LongLength]);
            using var gatherer = new RowGatherer(features, rowOrder, batches.Max(batch => batch.Length) * members);
            foreach (var (start, length) in batches)
            {
                cancellation.ThrowIfCancelled();
                using var scope = NewDisposeScope();
                var index = order.narrow(0, start * members, length * members);
                step(new TrainingBatch(gatherer.Gather(start * members, length * members), labels.index_select(0, index), weights?.index_select(0, index), ++number, count));
            }
        }

        private static long CountRows(IDataView data)
        {
            long count = 0;
            using var cursor = data.GetRowCursor([]);
            while (cursor.MoveNext())
                count++;
            return count;
        }
    }
}
