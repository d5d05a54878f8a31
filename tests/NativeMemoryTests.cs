using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using Microsoft.ML;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    public sealed class NativeMemoryTests
    {
        [Fact]
        public void RepeatedFitsDoNotGrowNativeMemory()
        {
            // Each fit holds 5,000 x 200 floats (4 MB) of features in native memory plus per-batch activations; a leak
            // of either adds 36 MB or more between the samples compared. Single samples after a collection move by up
            // to 16 MB in a full test run, so the lowest of three is compared, as in the cancellation test below.
            var ml = new MLContext(seed: 1);
            var data = TestData.BlobView(ml, rows: 5000, classes: 4, seed: 1, features: 200);
            var pipeline = TestData.Pipeline(ml, new BnMlpTrainer.Options { HiddenLayerSizes = [64, 32], NumberOfEpochs = 2 });
            var resident = new List<long>();
            for (int fit = 0; fit < 16; fit++)
            {
                pipeline.Fit(data);
                resident.Add(ResidentBytesAfterCollection());
            }
            long growth = resident.Skip(13).Min() - resident.Skip(2).Take(3).Min();
            Assert.True(growth < 16L << 20, $"resident memory grew by {growth / (1 << 20)} MB over 9 fits");
        }

        [Fact]
        public void AHundredFitsOfASmallNetworkKeepResidentMemoryFlat()
        {
            // 100 complete Fit cycles (data to native tensors, network, optimizer, statistics pass, all disposed). The
            // lowest of three samples after fits 10-12 and after the last three may differ by less than 16 MB: a leak of
            // one batch of activations (256 x 32 floats) per fit would stay under it, a leaked copy of the data
            // (2,000 x 50 floats) would not. Single samples moved by 17 MB in a full test run.
            var ml = new MLContext(seed: 1);
            var data = TestData.BlobView(ml, rows: 2000, classes: 3, seed: 3, features: 50);
            var pipeline = TestData.Pipeline(ml, new BnMlpTrainer.Options { HiddenLayerSizes = [32], NumberOfEpochs = 1, BatchSize = 256 });
            var resident = new List<long>();
            for (int fit = 0; fit < 100; fit++)
            {
                pipeline.Fit(data);
                if (fit is >= 9 and < 12 or >= 97)
                    resident.Add(ResidentBytesAfterCollection());
            }
            long growth = resident.Skip(3).Min() - resident.Take(3).Min();
            Assert.True(growth < 16L << 20, $"resident memory grew by {growth / (1 << 20)} MB over 88 fits");
        }

        [Fact]
        public void CancellingStopsWithinTheEpochAndLeavesNoNativeMemoryBehind()
        {
            var ml = new MLContext(seed: 1);
            var data = TestData.BlobView(ml, rows: 5000, classes: 4, seed: 1, features: 200);
            // Resident memory after a collection moves by several MB from one fit to the next in a long test run (other
            // tests' memory being returned, the GC resizing its heap): compare the lowest of three samples before and after
            // ten cancelled fits, which a leak raises and a passing spike does not.
            var resident = new List<long>();
            for (int fit = 0; fit < 15; fit++)
            {
                using var cancel = new CancellationTokenSource();
                // Progress is reported on the thread running Fit, as each epoch ends: cancel as epoch 1 ends.
                var epochs = new CancellingRecorder(cancel);
                var options = new BnMlpTrainer.Options { HiddenLayerSizes = [64, 32], NumberOfEpochs = 50, CancellationToken = cancel.Token, Progress = epochs };
                Assert.ThrowsAny<OperationCanceledException>(() => TestData.Pipeline(ml, options).Fit(data));
                Assert.Equal(1, epochs.Count); // stopped at the first batch after cancelling, not at the end of training
                resident.Add(ResidentBytesAfterCollection());
            }
            long growth = resident.Skip(12).Min() - resident.Skip(2).Take(3).Min();
            Assert.True(growth < 16L << 20, $"resident memory grew by {growth / (1 << 20)} MB over 10 cancelled fits");
        }

        [Fact]
        public void CancellingAsTheLastEpochEndsStopsTheStatisticsPass()
        {
            // After the last epoch only the exact statistics pass remains; it checks the token too.
            var ml = new MLContext(seed: 1);
            using var cancel = new CancellationTokenSource();
            ml.Log += (_, e) =>
            {
                if (e.RawMessage.StartsWith("Epoch 1/1", StringComparison.Ordinal))
                    cancel.Cancel();
            };
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 1, CancellationToken = cancel.Token };
            Assert.ThrowsAny<OperationCanceledException>(() => TestData.Pipeline(ml, options).Fit(TestData.BlobView(ml, rows: 500, classes: 2, seed: 1)));
        }

        [Fact]
        public void AnAlreadyCancelledTokenStopsFitBeforeTraining()
        {
            var ml = new MLContext(seed: 1);
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [8], CancellationToken = new CancellationToken(canceled: true) };
            Assert.ThrowsAny<OperationCanceledException>(() => TestData.Pipeline(ml, options).Fit(TestData.BlobView(ml, rows: 100, classes: 2, seed: 1)));
        }

        private sealed class CancellingRecorder(CancellationTokenSource cancel) : IProgress<BnMlpEpochMetrics>
        {
            public int Count { get; private set; }

            public void Report(BnMlpEpochMetrics value)
            {
                Count++;
                cancel.Cancel();
            }
        }

        private static long ResidentBytesAfterCollection()
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            using var process = Process.GetCurrentProcess();
            return process.WorkingSet64;
        }
    }
}
