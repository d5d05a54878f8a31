using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML;
using Xunit;
using Xunit.Abstractions;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>Stopping Fit with <c>MLContext.CancelExecution()</c> from another thread, as an application would.</summary>
    public sealed class CancellationTests
    {
        private readonly ITestOutputHelper _output;

        public CancellationTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void CancelExecutionFromAnotherThreadStopsFitWithinOneBatch()
        {
            var rows = TestData.Blobs(rows: 20_000, classes: 4, seed: 2, features: 200);
            var latencies = new List<double>();
            var batchTimes = new List<double>();
            for (int round = 0; round < 5; round++)
            {
                var ml = new MLContext(seed: 1);
                var data = ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(ml, 200));
                // A partial report after every batch (tiny interval) tells when each batch ended.
                var reports = new BatchClock(startCancellingAfter: 20 + round);
                var options = new BnMlpTrainer.Options { NumberOfEpochs = 100, Progress = reports, ProgressInterval = TimeSpan.FromTicks(1) };
                var pipeline = TestData.Pipeline(ml, options);
                var fit = Task.Run(() => pipeline.Fit(data));
                Assert.True(reports.Ready.Wait(TimeSpan.FromMinutes(5)), "training never reached the batch to cancel at");
                ml.CancelExecution();
                long cancelled = Stopwatch.GetTimestamp();
                var error = Assert.ThrowsAny<OperationCanceledException>(() => fit.GetAwaiter().GetResult());
                latencies.Add(Stopwatch.GetElapsedTime(cancelled).TotalMilliseconds);
                // The batch running when CancelExecution returned may finish; the next one must not start.
                Assert.True(reports.BatchesEndedAfter(cancelled) <= 1, $"{reports.BatchesEndedAfter(cancelled)} batches ended after cancelling");
                Assert.Equal("Operation was canceled.", error.Message);
                batchTimes.Add(reports.MedianBatchMilliseconds());
            }
            _output.WriteLine($"CancelExecution to OperationCanceledException: {string.Join(", ", latencies.Select(l => $"{l:F1}"))} ms; " +
                $"median batch (256-128 network, 64 rows x 200 features): {string.Join(", ", batchTimes.Select(b => $"{b:F1}"))} ms.");
        }

        /// <summary>Records when each batch ended; signals once <c>startCancellingAfter</c> batches have.</summary>
        private sealed class BatchClock(int startCancellingAfter) : IProgress<BnMlpEpochMetrics>
        {
            private readonly List<long> _ends = [];

            public ManualResetEventSlim Ready { get; } = new();

            public void Report(BnMlpEpochMetrics value)
            {
                lock (_ends)
                {
                    _ends.Add(Stopwatch.GetTimestamp());
                    if (_ends.Count == startCancellingAfter)
                        Ready.Set();
                }
            }

            public int BatchesEndedAfter(long timestamp)
            {
                lock (_ends)
                    return _ends.Count(end => end > timestamp);
            }

            public double MedianBatchMilliseconds()
            {
                lock (_ends)
                {
                    var gaps = _ends.Zip(_ends.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b).TotalMilliseconds).Order().ToArray();
                    return gaps[gaps.Length / 2];
                }
            }
        }
    }
}
