using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.ML;
using Xunit;
using Xunit.Abstractions;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>TorchSharp's thread count is process state; Fits with different counts must not change each other's.</summary>
    public sealed class ThreadCountTests
    {
        private readonly ITestOutputHelper _output;

        public ThreadCountTests(ITestOutputHelper output) => _output = output;

        [Fact]
        [Trait("Category", "Long")]
        public async Task TwoConcurrentFitsWithOneAndTwoThreadsGetExactlyTheirSerialResults()
        {
            var rows = TestData.Blobs(rows: 3000, classes: 4, seed: 5, features: 120);
            float[][] Fit(int threads)
            {
                var ml = new MLContext(seed: 1);
                var data = ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(ml, 120));
                var options = new BnMlpTrainer.Options { HiddenLayerSizes = [256, 128], NumberOfEpochs = 2, BatchSize = 256, NumberOfThreads = threads };
                var model = TestData.Pipeline(ml, options).Fit(data);
                return TestData.Scores(model.Transform(data));
            }
            var serialOne = Fit(1);
            var serialTwo = Fit(2);
            // Whether the count changes the results on this machine (when it does not, a race could not show here).
            _output.WriteLine($"One and two threads give {(serialOne.Zip(serialTwo).All(p => p.First.SequenceEqual(p.Second)) ? "the same" : "different")} scores.");

            for (int round = 0; round < 3; round++)
            {
                using var start = new Barrier(2);
                var one = Task.Run(() => { start.SignalAndWait(); return Fit(1); });
                var two = Task.Run(() => { start.SignalAndWait(); return Fit(2); });
                var results = await Task.WhenAll(one, two);
                Assert.True(serialOne.Zip(results[0]).All(p => p.First.SequenceEqual(p.Second)), $"round {round}: the one-thread fit differs from its serial run");
                Assert.True(serialTwo.Zip(results[1]).All(p => p.First.SequenceEqual(p.Second)), $"round {round}: the two-thread fit differs from its serial run");
            }
        }

        [Fact]
        public async Task FitsWithTheSameCountRunTogetherAndTheCountIsRestoredAfterwards()
        {
            int before = TorchSharp.torch.get_num_threads();
            var rows = TestData.Blobs(rows: 1000, classes: 3, seed: 6, features: 20);
            float[][] Fit()
            {
                var ml = new MLContext(seed: 2);
                var data = ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(ml, 20));
                var options = new BnMlpTrainer.Options { HiddenLayerSizes = [32], NumberOfEpochs = 2, NumberOfThreads = 1 };
                return TestData.Scores(TestData.Pipeline(ml, options).Fit(data).Transform(data));
            }
            var serial = Fit();
            var together = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(Fit)));
            Assert.All(together, scores => Assert.True(serial.Zip(scores).All(p => p.First.SequenceEqual(p.Second))));
            Assert.Equal(before, TorchSharp.torch.get_num_threads());
        }
    }
}
