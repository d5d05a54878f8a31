using System;
using System.Collections.Generic;
using System.Numerics;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Reads labelled rows from a cursor into native memory, checking every value on the way: features into rows of a
    /// [capacity, features] float32 tensor (written where they lie, a block of rows at a time: no tensor per row and no
    /// managed copy of the rows), targets through a
    /// <see cref="TargetReader"/>, example weights into an array. The same buffers can be refilled (a window of streamed rows).
    /// </summary>
    internal sealed class TrainingRowReader
    {
        private readonly IExceptionContext _ectx;
        private readonly TrainingSchema _schema;
        private readonly long _capacity;

        public TrainingRowReader(IExceptionContext ectx, TrainingSchema schema, long capacity)
        {
            _ectx = ectx;
            _schema = schema;
            _capacity = capacity;
            Targets = TargetReader.Create(ectx, schema, capacity);
            Weights = schema.Weight is null ? null : new float[capacity];
            Columns = schema.Weight is { } w ? [schema.Label, schema.Feature, w] : [schema.Label, schema.Feature];
        }

        /// <summary>The columns a cursor must have active.</summary>
        public IReadOnlyList<DataViewSchema.Column> Columns { get; }

        public TargetReader Targets { get; }

        /// <summary>The rows' example weights, or null without a weight column.</summary>
        public float[] Weights { get; }

        /// <summary>Rows skipped so far because their label is missing.</summary>
        public long Skipped { get; private set; }

        /// <summary>The largest absolute feature value read so far: what a divergence message blames.</summary>
        public float LargestMagnitude { get; private set; }

        /// <summary>
        /// Reads the next <paramref name="sourceRows"/> rows of <paramref name="cursor"/> (or up to its end) into rows 0, 1,
        /// ... of the buffers and of <paramref name="features"/>; returns how many had a label.
        /// </summary>
        public long Read(DataViewRowCursor cursor, Tensor features, long sourceRows)
        {
            var feature = _schema.Feature;
            int featureCount = _schema.FeatureCount;
            Targets.Bind(cursor, _schema.Label);
            var getFeatures = cursor.GetGetter<VBuffer<float>>(feature);
            var getWeight = _schema.Weight is { } weight ? cursor.GetGetter<float>(weight) : null;
            float rowWeight = 1;
            VBuffer<float> vector = default;
            long rows = 0;
            // The block of rows of the native tensor being written, and its values.
            Tensor block = null;
            long blockStart = 0, blockEnd = 0;
            Span<float> blockValues = default;
            try
            {
                for (long read = 0; read < sourceRows && cursor.MoveNext(); read++)
                {
                    long position = cursor.Position;
                    if (rows == _capacity)
                        throw _ectx.Except($"The training data gave more rows than its row count ({_capacity}).");
                    if (!Targets.TryRead(rows, position))
                    {
                        Skipped++;
                        continue;
                    }
                    getFeatures(ref vector);
                    if (vector.Length != featureCount)
                        throw _ectx.Except(ColumnChecks.RowLengthMismatch(feature.Name, position, featureCount, vector.Length));
                    if (rows == blockEnd)
                    {
                        block?.Dispose();
                        blockStart = rows;
                        blockEnd = Math.Min(rows + NativeRows.RowsPerBlock(featureCount), _capacity);
                        block = features.narrow(0, blockStart, blockEnd - blockStart);
                        blockValues = NativeRows.Values(block);
                    }
                    var row = blockValues.Slice((int)(rows - blockStart) * featureCount, featureCount);
                    vector.CopyTo(row);
                    CheckFinite(row, feature.Name, position);
                    if (getWeight != null)
                    {
                        getWeight(ref rowWeight);
                        if (!(rowWeight >= 0) || float.IsInfinity(rowWeight))
                            throw _ectx.Except($"Example weight column '{_schema.Weight.Value.Name}', row {position}: weights must be finite and not negative, found {rowWeight}.");
                        Weights[rows] = rowWeight;
                    }
                    rows++;
                }
            }
            finally
            {
                block?.Dispose();
            }
            return rows;
        }

        /// <summary>After all rows have been read once: reports skipped rows, refuses too few rows or classes.</summary>
        public void CheckAllRows(IChannel ch, long rows)
        {
            if (Skipped > 0)
                ch.Warning($"Skipped {Skipped} rows whose label '{_schema.Label.Name}' is missing.");
            if (rows < 2)
                throw _ectx.Except($"BnMlp needs at least two rows with a label; the training data has {rows}.");
            Targets.Check(_ectx, ch);
        }

        /// <summary>Rows 0 .. <paramref name="rows"/> - 1 of the weights as a tensor, or null without weights.</summary>
        public Tensor WeightTensor(long rows) => Weights is null ? null : tensor(Weights.AsSpan(0, (int)rows).ToArray(), [rows]);

        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void CheckFinite(ReadOnlySpan<float> row, string column, long position)
        {
            // x - x is 0 for a finite x and NaN for NaN or an infinity, and NaN stays in a sum: one vector op per 8 or 16
            // values and one test per row, where a test per value took a branch per value; the slot is looked for only in
            // a row that has one. The same pass keeps the largest magnitude.
            var sum = Vector<float>.Zero;
            var largest = Vector<float>.Zero;
            int i = 0;
            for (; i + Vector<float>.Count <= row.Length; i += Vector<float>.Count)
            {
                var x = new Vector<float>(row.Slice(i, Vector<float>.Count));
                sum += x - x;
                largest = Vector.Max(largest, Vector.Abs(x));
            }
            bool finite = Vector.EqualsAll(sum, Vector<float>.Zero);
            float largestInRow = 0;
            for (int k = 0; k < Vector<float>.Count; k++)
                largestInRow = Math.Max(largestInRow, largest[k]);
            for (; i < row.Length; i++)
            {
                finite &= float.IsFinite(row[i]);
                largestInRow = Math.Max(largestInRow, Math.Abs(row[i]));
            }
            if (finite)
            {
                LargestMagnitude = Math.Max(LargestMagnitude, largestInRow);
                return;
            }
            for (i = 0; i < row.Length; i++)
            {
                if (!float.IsFinite(row[i]))
                    throw _ectx.Except($"Feature column '{column}', row {position}, slot {i}: found {row[i]}; features must be finite. Replace missing values first (for example with ReplaceMissingValues) or filter such rows out.");
            }
        }
    }
}
