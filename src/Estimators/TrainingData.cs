using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The training rows as native tensors: features [rows, features] float32, labels [rows] (int64 0-based classes for
    /// a classifier, float32 values for a regressor), optional weights [rows] float32. Read in one pass through a cursor, in blocks, with no tensor per row.
    /// </summary>
    internal sealed class TrainingData : IDisposable
    {
        private const int RowsPerBlock = 4096;

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

        public int RowCount => (int)Features.shape[0];

        public int FeatureCount => (int)Features.shape[1];

        /// <summary>Units of the network's output layer: classes, or 1 for regression.</summary>
        public int OutputCount { get; }

        public static TrainingData Load(IHostEnvironment env, IChannel ch, IDataView data, BnMlpOptionsBase options, bool classification)
        {
            var schema = TrainingSchema.Check(env, data.Schema, options, classification);
            var label = schema.Label;
            var feature = schema.Feature;
            var weight = schema.Weight;
            int featureCount = schema.FeatureCount;
            long rowCapacity = data.GetRowCount() ?? CountRows(data);
            if (rowCapacity == 0)
                throw env.Except("The training data is empty: BnMlp needs at least two rows with a label.");
            if ((long)featureCount * rowCapacity > long.MaxValue / sizeof(float))
                throw env.Except($"The training data ({rowCapacity} rows x {featureCount} features) is too large.");

            var features = empty(rowCapacity, featureCount, ScalarType.Float32);
            var weights = weight is null ? null : new float[rowCapacity];
            var staging = new float[RowsPerBlock * featureCount];
            TargetReader targets;
            long rows = 0, skipped = 0, position = -1;
            try
            {
                var columns = weight is { } w ? new[] { label, feature, w } : new[] { label, feature };
                using (var cursor = data.GetRowCursor(columns))
                {
                    targets = TargetReader.Create(env, schema, cursor, rowCapacity);
                    var getFeatures = cursor.GetGetter<VBuffer<float>>(feature);
                    var getWeight = weight is { } wc ? cursor.GetGetter<float>(wc) : null;
                    float rowWeight = 1;
                    VBuffer<float> vector = default;
                    int staged = 0;
                    while (cursor.MoveNext())
                    {
                        position = cursor.Position;
                        if (rows == rowCapacity)
                            throw env.Except($"The training data gave more rows than its row count ({rowCapacity}).");
                        if (!targets.TryRead(rows, position))
                        {
                            skipped++;
                            continue;
                        }
                        getFeatures(ref vector);
                        if (vector.Length != featureCount)
                            throw env.Except($"Feature column '{feature.Name}', row {position}: expected a vector of {featureCount} values, found {vector.Length}.");
                        var row = staging.AsSpan(staged * featureCount, featureCount);
                        vector.CopyTo(row);
                        CheckFinite(env, row, feature.Name, position);
                        if (getWeight != null)
                        {
                            getWeight(ref rowWeight);
                            if (!(rowWeight >= 0) || float.IsInfinity(rowWeight))
                                throw env.Except($"Example weight column '{weight.Value.Name}', row {position}: weights must be finite and not negative, found {rowWeight}.");
                            weights[rows] = rowWeight;
                        }
                        rows++;
                        if (++staged == RowsPerBlock)
                        {
                            CopyBlock(features, staging, rows - staged, staged);
                            staged = 0;
                        }
                    }
                    CopyBlock(features, staging, rows - staged, staged);
                }

                if (skipped > 0)
                    ch.Warning($"Skipped {skipped} rows whose label '{label.Name}' is missing.");
                if (rows < 2)
                    throw env.Except($"BnMlp needs at least two rows with a label; the training data has {rows}.");
                targets.Check(env, ch, rows);

                var result = new TrainingData(
                    rows == rowCapacity ? features : features.narrow(0, 0, rows),
                    targets.ToTensor(rows),
                    weights is null ? null : tensor(weights.AsSpan(0, (int)rows).ToArray(), [rows]),
                    schema.OutputCount);
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

        /// <summary>
        /// Splits off a random <paramref name="validationFraction"/> of the rows as validation data. Disposes this
        /// instance's tensors; the two parts own copies.
        /// </summary>
        public (TrainingData Train, TrainingData Validation) Split(IExceptionContext ectx, float validationFraction, Random random)
        {
            int validationRows = (int)Math.Round(RowCount * (double)validationFraction);
            if (validationRows < 1 || RowCount - validationRows < 2)
            {
                throw ectx.Except($"ValidationFraction {validationFraction} of {RowCount} rows leaves {validationRows} validation and " +
                    $"{RowCount - validationRows} training rows; at least 1 and 2 are needed.");
            }
            using var order = tensor(BatchPlan.RandomOrder(RowCount, random), [RowCount]);
            using var validationIndex = order.narrow(0, 0, validationRows);
            using var trainIndex = order.narrow(0, validationRows, RowCount - validationRows);
            var parts = (Rows(trainIndex), Rows(validationIndex));
            Dispose();
            return parts;
        }

        private TrainingData Rows(Tensor index) =>
            new(Features.index_select(0, index), Labels.index_select(0, index), Weights?.index_select(0, index), OutputCount);

        public void Dispose()
        {
            Features.Dispose();
            Labels.Dispose();
            Weights?.Dispose();
        }

        private static long CountRows(IDataView data)
        {
            long count = 0;
            using var cursor = data.GetRowCursor([]);
            while (cursor.MoveNext())
                count++;
            return count;
        }

        private static void CopyBlock(Tensor features, float[] staging, long firstRow, int rows)
        {
            if (rows == 0)
                return;
            int featureCount = (int)features.shape[1];
            using var block = features.narrow(0, firstRow, rows);
            var source = System.Runtime.InteropServices.MemoryMarshal.AsBytes(staging.AsSpan(0, rows * featureCount));
            source.CopyTo(block.bytes);
        }

        private static void CheckFinite(IExceptionContext ectx, ReadOnlySpan<float> row, string column, long position)
        {
            for (int i = 0; i < row.Length; i++)
            {
                if (!float.IsFinite(row[i]))
                    throw ectx.Except($"Feature column '{column}', row {position}, slot {i}: found {row[i]}; features must be finite. Replace missing values first (for example with ReplaceMissingValues) or filter such rows out.");
            }
        }
    }
}
