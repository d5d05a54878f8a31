using System;
using System.Collections.Generic;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The training rows as native tensors: features [rows, features] float32, labels [rows] (int64 0-based classes for
    /// a classifier, float32 values for a regressor), optional weights [rows] float32. Read in one pass through a
    /// cursor; a shuffled pass gathers its rows block by block, and each mini-batch is a view of a block.
    /// </summary>
    internal sealed class TrainingData : TrainingRows
    {
        private TrainingData(Tensor features, Tensor labels, Tensor weights, int outputCount)
        {
            Features = features;
            Labels = labels;
            Weights = weights;
            OutputCount = outputCount;
        }

        public Tensor Features { get; }

        public Tensor Labels { get; }

        /// <summary>Example weights, or null when all rows weigh the same.</summary>
        public Tensor Weights { get; }

        public override long RowCount => Features.shape[0];

        public override int FeatureCount => (int)Features.shape[1];

        public override int OutputCount { get; }

        /// <summary>Reads all rows of <paramref name="data"/>, whatever their size (validation data).</summary>
        public static TrainingData Load(IHostEnvironment env, IChannel ch, IDataView data, BnMlpOptionsBase options, bool classification)
        {
            var schema = TrainingSchema.Check(env, data.Schema, options, classification);
            long rows = data.GetRowCount() ?? CountRows(data);
            if (rows == 0)
                throw env.Except("The data is empty: BnMlp needs at least two rows with a label.");
            return Load(env, ch, data, schema, rows);
        }

        /// <param name="env">The environment, for errors.</param>
        /// <param name="ch">Where warnings go.</param>
        /// <param name="data">The rows.</param>
        /// <param name="schema">Its checked columns.</param>
        /// <param name="rowCapacity">Its number of rows (labelled or not).</param>
        public static TrainingData Load(IHostEnvironment env, IChannel ch, IDataView data, TrainingSchema schema, long rowCapacity)
        {
            if (rowCapacity > int.MaxValue || (long)schema.FeatureCount * rowCapacity > long.MaxValue / sizeof(float))
                throw env.Except($"The training data ({rowCapacity} rows x {schema.FeatureCount} features) is too large to hold in memory.");
            var reader = new TrainingRowReader(env, schema, rowCapacity);
            var features = empty(rowCapacity, schema.FeatureCount, ScalarType.Float32);
            try
            {
                long rows;
                using (var cursor = data.GetRowCursor(reader.Columns))
                    rows = reader.Read(cursor, features, long.MaxValue);
                reader.CheckAllRows(ch, rows);
                var result = new TrainingData(
                    rows == rowCapacity ? features : features.narrow(0, 0, rows),
                    reader.Targets.ToTensor(rows), reader.WeightTensor(rows), schema.OutputCount);
                if (rows != rowCapacity)
                    features.Dispose();
                return result;
            }
            catch
            {
                features.Dispose();
                throw;
            }
        }

        public override void ForEachBatch(BatchPass pass, Random random, CancellationToken cancellation, Action<TrainingBatch> step)
        {
            int rows = (int)RowCount;
            var batches = BatchPlan.Create(rows, pass);
            if (!pass.Shuffle)
            {
                // The batches are already contiguous rows: views, no copy.
                ForEachBatch(batches, 0, batches.Count, Features, Labels, Weights, 0, cancellation, step);
                return;
            }
            using var order = tensor(BatchPlan.RandomOrder(rows, random), [rows]);
            // One gather per block of batches instead of one per batch: fewer small ops per step, each batch a view of
            // contiguous rows as in a loop on preloaded tensors, and no more than a block's copy of the rows at a time.
            int batchesPerBlock = Math.Max(1, (int)(GatherBlockBytes / ((long)pass.BatchSize * FeatureCount * sizeof(float))));
            for (int first = 0; first < batches.Count; first += batchesPerBlock)
            {
                int end = Math.Min(first + batchesPerBlock, batches.Count);
                int start = batches[first].Start;
                using var index = order.narrow(0, start, batches[end - 1].Start + batches[end - 1].Length - start);
                using var features = Features.index_select(0, index);
                using var labels = Labels.index_select(0, index);
                using var weights = Weights?.index_select(0, index);
                ForEachBatch(batches, first, end, features, labels, weights, start, cancellation, step);
            }
        }

        /// <summary>The rows gathered at once for a shuffled pass (features only): 16 MB, a small share of the data.</summary>
        private const long GatherBlockBytes = 16L << 20;

        /// <summary>Hands batches <paramref name="first"/> to <paramref name="end"/> (exclusive) to <paramref name="step"/> as
        /// views of rows that start at row <paramref name="offset"/> of the pass.</summary>
        private static void ForEachBatch(IReadOnlyList<(int Start, int Length)> batches, int first, int end, Tensor features, Tensor labels, Tensor weights,
            int offset, CancellationToken cancellation, Action<TrainingBatch> step)
        {
            for (int b = first; b < end; b++)
            {
                cancellation.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var (start, length) = batches[b];
                step(new TrainingBatch(features.narrow(0, start - offset, length), labels.narrow(0, start - offset, length),
                    weights?.narrow(0, start - offset, length), b + 1, batches.Count));
            }
        }

        /// <summary>
        /// Splits off a random <paramref name="validationFraction"/> of the rows as validation data. Disposes this
        /// instance's tensors; the two parts own copies.
        /// </summary>
        public (TrainingData Train, TrainingData Validation) Split(IExceptionContext ectx, float validationFraction, Random random)
        {
            int rows = (int)RowCount;
            int validationRows = (int)Math.Round(rows * (double)validationFraction);
            if (validationRows < 1 || rows - validationRows < 2)
            {
                throw ectx.Except($"ValidationFraction {validationFraction} of {rows} rows leaves {validationRows} validation and " +
                    $"{rows - validationRows} training rows; at least 1 and 2 are needed.");
            }
            using var order = tensor(BatchPlan.RandomOrder(rows, random), [rows]);
            using var validationIndex = order.narrow(0, 0, validationRows);
            using var trainIndex = order.narrow(0, validationRows, rows - validationRows);
            var parts = (Rows(trainIndex), Rows(validationIndex));
            Dispose();
            return parts;
        }

        private TrainingData Rows(Tensor index) =>
            new(Features.index_select(0, index), Labels.index_select(0, index), Weights?.index_select(0, index), OutputCount);

        public override void Dispose()
        {
            Features.Dispose();
            Labels.Dispose();
            Weights?.Dispose();
        }
    }
}
