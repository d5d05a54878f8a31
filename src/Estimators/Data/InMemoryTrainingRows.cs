using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The training rows as native tensors: features [rows, features] float32, labels [rows] (int64 0-based classes for
    /// a multiclass classifier, float32 0 or 1 for a binary classifier, float32 values for a regressor), optional weights [rows] float32. Read in one pass through a
    /// cursor; each mini-batch is gathered from them by index.
    /// </summary>
    internal sealed class InMemoryTrainingRows : TrainingRows
    {
        /// <summary>Rows of the statistics pass between two checks for cancellation.</summary>
        private const long StatisticsRows = 65536;

        private InMemoryTrainingRows(Tensor features, Tensor labels, Tensor weights, int outputCount, float largestFeatureMagnitude)
        {
            LargestFeatureMagnitude = largestFeatureMagnitude;
            Features = features;
            Labels = labels;
            Weights = weights;
            OutputCount = outputCount;
        }

        public Tensor Features { get; private set; }

        public Tensor Labels { get; }

        /// <summary>Example weights, or null when all rows weigh the same.</summary>
        public Tensor Weights { get; }

        public override long RowCount => Features.shape[0];

        public override int FeatureCount => (int)Features.shape[1];

        public override int OutputCount { get; }

        public override float LargestFeatureMagnitude { get; }

        /// <summary>Reads all rows of the validation data <paramref name="data"/>, whatever their size.</summary>
        public static InMemoryTrainingRows Load(IHostEnvironment env, IChannel ch, IDataView data, BnMlpOptionsBase options, BnMlpModelKind kind)
        {
            var (schema, rows) = Inspect(env, data, options, kind, "validation data");
            return Load(env, ch, data, schema, rows);
        }

        /// <param name="env">The environment, for errors.</param>
        /// <param name="ch">Where warnings go.</param>
        /// <param name="data">The rows.</param>
        /// <param name="schema">Its checked columns.</param>
        /// <param name="rowCapacity">Its number of rows (labelled or not).</param>
        public static InMemoryTrainingRows Load(IHostEnvironment env, IChannel ch, IDataView data, TrainingSchema schema, long rowCapacity)
        {
            if (rowCapacity > int.MaxValue || (long)schema.FeatureCount * rowCapacity > long.MaxValue / sizeof(float))
                throw env.Except($"The training data ({rowCapacity} rows x {schema.FeatureCount} features) is too large to hold in memory.");
            var reader = new TrainingRowReader(env, schema, rowCapacity);
            var features = NativeRows.Allocate(rowCapacity, schema.FeatureCount);
            try
            {
                long rows;
                var populating = NativeRows.PopulateInBackground(features);
                try
                {
                    using var cursor = data.GetRowCursor(reader.Columns);
                    rows = reader.Read(cursor, features, long.MaxValue);
                }
                finally
                {
                    // The kernel may still be mapping pages of the buffer, which must not be freed under it.
                    populating.Wait();
                }
                reader.CheckAllRows(ch, rows);
                var result = new InMemoryTrainingRows(
                    rows == rowCapacity ? features : features.narrow(0, 0, rows),
                    reader.Targets.ToTensor(rows), reader.WeightTensor(rows), schema.OutputCount, reader.LargestMagnitude);
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

        /// <summary>The statistics of each half of the rows (on two cores where there are two), merged.</summary>
        public override FeatureStatistics ComputeStatistics(FitCancellation cancellation)
        {
            FeatureStatistics[] halves = [new(FeatureCount), new(FeatureCount)];
            NativeRows.ForEachHalf(Features, (half, number) =>
            {
                long count = half.shape[0];
                for (long start = 0; start < count; start += StatisticsRows)
                {
                    cancellation.ThrowIfCancelled();
                    using var rows = half.narrow(0, start, Math.Min(StatisticsRows, count - start));
                    halves[number].Add(rows);
                }
            });
            halves[0].Add(halves[1]);
            return halves[0];
        }

        /// <summary>From now on the rows hold their encoding by <paramref name="encoding"/> instead of their features.</summary>
        public void EncodeWith(PiecewiseLinearEncoding encoding)
        {
            var encoded = FeatureEncoder.Apply(encoding, Features);
            Features.Dispose();
            Features = encoded;
        }

        public override void ScaleWith(FeatureScaler scaler) => NativeRows.ForEachHalf(Features, (half, _) => scaler.ApplyInPlace(half));

        public override void ForEachBatch(BatchPass pass, Random random, FitCancellation cancellation, Action<TrainingBatch> step)
        {
            int number = 0;
            ForEachBatchOf(Features, Labels, Weights, pass, random, cancellation, wholePass: true, ref number, step);
        }

        /// <summary>
        /// The first half of the pass's batches in half 0, the rest in half 1, the second half on another core when
        /// libtorch computes on one thread (on more, the two would compete for the cores) and the machine has another
        /// core. The halves never depend on that, so a computation that merges them in order gives the same bits anyway.
        /// </summary>
        public override void ForEachFeatureBatchInHalves(BatchPass pass, Random random, FitCancellation cancellation, Action<int, Tensor, int> step)
        {
            int rows = (int)RowCount;
            var batches = BatchPlan.Create(rows, pass);
            long[] order = pass.Shuffle ? BatchPlan.RandomOrder(rows, random) : BatchPlan.InOrder(rows);
            int half = batches.Count / 2;
            // A merged last batch can exceed the batch size (BatchPass.AvoidSingleRowBatch).
            int largestBatch = batches.Max(batch => batch.Length);
            int threads = get_num_threads();

            void Run(int number, int first, int end)
            {
                // libtorch keeps a thread count per thread: a pool thread's may be another Fit's.
                set_num_threads(threads);
                using var noGrad = no_grad();
                using var gatherer = new RowGatherer(Features, order, largestBatch);
                for (int b = first; b < end; b++)
                {
                    cancellation.ThrowIfCancelled();
                    using var scope = NewDisposeScope();
                    step(number, gatherer.Gather(batches[b].Start, batches[b].Length), b - first + 1);
                }
            }

            Halves.Run(() => Run(0, 0, half), () => Run(1, half, batches.Count), atOnce: half > 0 && threads == 1 && Environment.ProcessorCount >= 2);
        }

        /// <summary>
        /// Splits off a random <paramref name="validationFraction"/> of the rows as validation data. Disposes this
        /// instance's tensors; the two parts own copies.
        /// </summary>
        public (InMemoryTrainingRows Train, InMemoryTrainingRows Validation) Split(IExceptionContext ectx, float validationFraction, Random random)
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

        private InMemoryTrainingRows Rows(Tensor index) =>
            new(Features.index_select(0, index), Labels.index_select(0, index), Weights?.index_select(0, index), OutputCount, LargestFeatureMagnitude);

        public override void Dispose()
        {
            Features.Dispose();
            Labels.Dispose();
            Weights?.Dispose();
        }
    }
}
