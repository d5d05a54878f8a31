using System;
using System.Collections.Generic;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    public sealed class NativeMemoryTests
    {
        [Theory]
        [InlineData(BnMlpMatrixPrecision.Float32)]
        [InlineData(BnMlpMatrixPrecision.BFloat16)]
        [Trait("Category", "Long")]
        public void RepeatedFitsDoNotGrowNativeMemory(BnMlpMatrixPrecision precision)
        {
            // Each fit holds 5,000 x 200 floats (4 MB) of features in native memory plus per-batch activations (and, in
            // batches of 256 into 512 units, their bfloat16 copies); a leak of either adds 36 MB or more between the samples
            // compared (the lowest of three, as in the tests below).
            var ml = new MLContext(seed: 1);
            var data = TestData.BlobView(ml, rows: 5000, classes: 4, seed: 1, features: 200);
            var pipeline = TestData.Pipeline(ml, new BnMlpTrainer.Options
            {
                HiddenLayerSizes = precision == BnMlpMatrixPrecision.Float32 ? [64, 32] : [512, 256], BatchSize = precision == BnMlpMatrixPrecision.Float32 ? null : 256,
                NumberOfEpochs = 2, MatrixPrecision = precision,
            });
            var heap = new List<long>();
            for (int fit = 0; fit < 16; fit++)
            {
                pipeline.Fit(data);
                heap.Add(NativeHeapBytesAfterCollection());
            }
            long growth = heap.Skip(13).Min() - heap.Skip(2).Take(3).Min();
            Assert.True(growth < 16L << 20, $"the native heap grew by {growth / (1 << 20)} MB over 9 fits");
        }

        [Fact]
        [Trait("Category", "Long")]
        public void AHundredFitsOfASmallNetworkKeepTheNativeHeapFlat()
        {
            // 100 complete Fit cycles (data to native tensors, network, optimizer, statistics pass, all disposed). The
            // lowest of three samples after fits 10-12 and after the last three may differ by less than 16 MB: a leak of
            // one batch of activations (256 x 32 floats) per fit would stay under it, a leaked copy of the data
            // (2,000 x 50 floats) would not. (TorchSharp itself keeps about 1 KB per Linear module created, a few KB
            // per fit.)
            var ml = new MLContext(seed: 1);
            var data = TestData.BlobView(ml, rows: 2000, classes: 3, seed: 3, features: 50);
            var pipeline = TestData.Pipeline(ml, new BnMlpTrainer.Options { HiddenLayerSizes = [32], NumberOfEpochs = 1, BatchSize = 256 });
            var heap = new List<long>();
            for (int fit = 0; fit < 100; fit++)
            {
                pipeline.Fit(data);
                if (fit is >= 9 and < 12 or >= 97)
                    heap.Add(NativeHeapBytesAfterCollection());
            }
            long growth = heap.Skip(3).Min() - heap.Take(3).Min();
            Assert.True(growth < 16L << 20, $"the native heap grew by {growth / (1 << 20)} MB over 88 fits");
        }

        [Theory]
        [Trait("Category", "Long")]
        [InlineData(false)]
        [InlineData(true)]
        public void CancellingStopsWithinTheEpochAndLeavesNoNativeMemoryBehind(bool throughMLContext)
        {
            var rows = TestData.Blobs(rows: 5000, classes: 4, seed: 1, features: 200);
            // Compare the lowest of three samples before and after ten cancelled fits, which a leak raises and a passing
            // spike does not.
            var heap = new List<long>();
            for (int fit = 0; fit < 15; fit++)
            {
                // A cancelled MLContext stays cancelled: a new one per fit.
                var ml = new MLContext(seed: 1);
                var data = ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(ml, 200));
                using var cancel = new CancellationTokenSource();
                // Progress is reported on the thread running Fit, as each epoch ends: cancel as epoch 1 ends.
                var epochs = new CancellingRecorder(throughMLContext ? ml.CancelExecution : cancel.Cancel);
                var options = new BnMlpTrainer.Options { HiddenLayerSizes = [64, 32], NumberOfEpochs = 50, CancellationToken = cancel.Token, Progress = epochs };
                var pipeline = TestData.Pipeline(ml, options);
                Assert.ThrowsAny<OperationCanceledException>(() => pipeline.Fit(data));
                Assert.Equal(1, epochs.Count); // stopped at the first batch after cancelling, not at the end of training
                heap.Add(NativeHeapBytesAfterCollection());
            }
            long growth = heap.Skip(12).Min() - heap.Skip(2).Take(3).Min();
            Assert.True(growth < 16L << 20, $"the native heap grew by {growth / (1 << 20)} MB over 10 cancelled fits");
        }

        [Theory]
        [InlineData(false)]
        [InlineData(true)]
        public void CancellingAsTheLastEpochEndsStopsTheStatisticsPass(bool throughMLContext)
        {
            // After the last epoch only the exact statistics pass remains; it checks for cancellation too.
            var ml = new MLContext(seed: 1);
            var data = TestData.BlobView(ml, rows: 500, classes: 2, seed: 1);
            using var cancel = new CancellationTokenSource();
            var log = new List<string>();
            ml.Log += (_, e) =>
            {
                lock (log)
                    log.Add(e.RawMessage);
                if (e.RawMessage.StartsWith("Epoch 1/1", StringComparison.Ordinal))
                {
                    if (throughMLContext)
                        ml.CancelExecution();
                    else
                        cancel.Cancel();
                }
            };
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 1, CancellationToken = cancel.Token };
            var pipeline = TestData.Pipeline(ml, options);
            Assert.ThrowsAny<OperationCanceledException>(() => pipeline.Fit(data));
            lock (log)
                Assert.DoesNotContain(log, m => m.StartsWith("Population statistics", StringComparison.Ordinal));
        }

        [Fact]
        public void ValidationStopsWhenTheContextIsCancelled()
        {
            // Validation runs after each epoch on all validation rows; it checks the host between chunks like the
            // training and statistics passes do.
            var ml = new MLContext(seed: 1);
            var host = ((IHostEnvironment)ml).Register("validation test");
            using var ch = host.Start("validation");
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [4] };
            var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(TestData.BlobView(ml, rows: 100, classes: 2, seed: 1));
            using var data = InMemoryTrainingRows.Load(host, ch, keyed.Transform(TestData.BlobView(ml, rows: 100, classes: 2, seed: 1)), options, BnMlpModelKind.Multiclass);
            using var network = new BnMlpNetwork(data.FeatureCount, data.OutputCount, options, new Random(1));
            var cancellation = new FitCancellation(host, CancellationToken.None);
            var (loss, _) = Validation.Evaluate(network, data, TrainingObjective.CrossEntropy(0), cancellation);
            Assert.True(double.IsFinite(loss));
            ml.CancelExecution();
            var error = Assert.Throws<OperationCanceledException>(() => Validation.Evaluate(network, data, TrainingObjective.CrossEntropy(0), cancellation));
            Assert.Equal("Operation was canceled.", error.Message); // ML.NET's CheckAlive, as its own trainers throw it
        }

        [Fact]
        public void AnAlreadyCancelledTokenStopsFitBeforeTraining()
        {
            var ml = new MLContext(seed: 1);
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [8], CancellationToken = new CancellationToken(canceled: true) };
            Assert.ThrowsAny<OperationCanceledException>(() => TestData.Pipeline(ml, options).Fit(TestData.BlobView(ml, rows: 100, classes: 2, seed: 1)));
        }

        private sealed class CancellingRecorder(Action cancel) : IProgress<BnMlpEpochMetrics>
        {
            public int Count { get; private set; }

            public void Report(BnMlpEpochMetrics value)
            {
                Count++;
                cancel();
            }
        }

        /// <summary>Bytes of the C heap in use, where TorchSharp's CPU tensors live (glibc's <c>mallinfo2</c>: small blocks
        /// plus mapped ones), after a collection has run the finalizers that free native tensors. Unlike the resident set it
        /// moves neither with the managed heap nor with free pages the allocator keeps, both of which earlier tests in a
        /// full run change.</summary>
        private static long NativeHeapBytesAfterCollection()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            var heap = MallInfo2();
            return (long)(heap.InUseSmallBlocks + heap.MappedBlocks);
        }

        [StructLayout(LayoutKind.Sequential)]
        private struct HeapInfo
        {
            public nuint Arena, FreeChunks, FastBins, MappedRegions, MappedBlocks, MaxTotal, FreeFastBins, InUseSmallBlocks, FreeSmallBlocks, TopReleasable;
        }

        [DllImport("libc", EntryPoint = "mallinfo2")]
        private static extern HeapInfo MallInfo2();
    }
}
