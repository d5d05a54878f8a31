using System;
using System.Diagnostics;
using Microsoft.ML;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    public sealed class NativeMemoryTests
    {
        [Fact]
        public void RepeatedFitsDoNotGrowNativeMemory()
        {
            // Each fit holds 5,000 x 200 floats (4 MB) of features in native memory plus per-batch activations;
            // a leak of either would add well over the tolerance across eight further fits.
            var ml = new MLContext(seed: 1);
            var data = TestData.BlobView(ml, rows: 5000, classes: 4, seed: 1, features: 200);
            var pipeline = TestData.Pipeline(ml, new BnMlpTrainer.Options { HiddenLayerSizes = [64, 32], NumberOfEpochs = 2 });
            for (int i = 0; i < 4; i++)
                pipeline.Fit(data);
            long before = ResidentBytesAfterCollection();
            for (int i = 0; i < 8; i++)
                pipeline.Fit(data);
            long growth = ResidentBytesAfterCollection() - before;
            Assert.True(growth < 16L << 20, $"resident memory grew by {growth / (1 << 20)} MB over 8 fits");
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
