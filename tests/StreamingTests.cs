using System;
using System.Linq;
using Microsoft.ML;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>Training data larger than <see cref="BnMlpOptionsBase.MemoryBudgetMegabytes"/> is streamed in windows.</summary>
    public sealed class StreamingTests
    {
        // 3,000 rows x 100 features take 1.2 MB: a 1 MB budget streams them in windows of 2,496 rows (39 batches of 64).
        private const int Rows = 3000, Features = 100;

        private static IDataView Data(MLContext ml) => TestData.BlobView(ml, Rows, 4, seed: 1, Features);

        [Fact]
        public void InOrderStreamingTrainsTheSameModelAsInMemory()
        {
            // Without shuffling, the streamed windows end on batch boundaries, so the batches are the in-memory ones.
            var options = () => new BnMlpTrainer.Options
            {
                HiddenLayerSizes = [16], BatchSize = 64, NumberOfEpochs = 2, ShuffleEachEpoch = false, DropoutRate = 0,
                PopulationStatistics = PopulationStatisticsMode.MovingAverage, NumberOfThreads = 1,
                // The size rule encodes these rows in memory but not streamed (InputEncodingTests).
                PiecewiseLinearBins = 0,
            };
            string log = "";
            float[] Scores(int budget)
            {
                var ml = new MLContext(seed: 5);
                ml.Log += (_, e) => log += e.RawMessage + "\n";
                var settings = options();
                settings.MemoryBudgetMegabytes = budget;
                var model = TestData.Pipeline(ml, settings).Fit(Data(ml));
                return TestData.Scores(model.Transform(Data(ml))).SelectMany(row => row).ToArray();
            }
            var inMemory = Scores(budget: 1000);
            Assert.DoesNotContain("Streaming", log);
            Assert.Equal(inMemory, Scores(budget: 1));
            Assert.Contains("Streaming 2 chunks of up to 2496 rows.", log);
        }

        [Fact]
        public void ShuffledStreamingWithExactStatisticsLearnsAndRepeats()
        {
            double Accuracy()
            {
                var ml = new MLContext(seed: 6);
                var options = new BnMlpTrainer.Options { HiddenLayerSizes = [16], NumberOfEpochs = 3, MemoryBudgetMegabytes = 1, NumberOfThreads = 1 };
                var model = TestData.Pipeline(ml, options).Fit(Data(ml));
                // The same blobs, rows the training data did not have.
                var heldOut = ml.Data.LoadFromEnumerable(TestData.Blobs(Rows + 1000, 4, seed: 1, Features).Skip(Rows), TestData.SchemaWithFeatureSize(ml, Features));
                return ml.MulticlassClassification.Evaluate(model.Transform(heldOut)).MicroAccuracy;
            }
            double first = Accuracy();
            Assert.True(first > 0.95, $"accuracy {first:P2}");
            Assert.Equal(first, Accuracy());
        }

        [Fact]
        public void ABadValueInALaterWindowNamesItsRow()
        {
            var ml = new MLContext(seed: 1);
            var rows = TestData.Blobs(Rows, 4, seed: 1, Features);
            rows[2900].Features[7] = float.NaN;
            var data = ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(ml, Features));
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 1, MemoryBudgetMegabytes = 1 };
            var error = Assert.Throws<InvalidOperationException>(() => TestData.Pipeline(ml, options).Fit(data));
            Assert.Contains("Feature column 'Features', row 2900, slot 7: found NaN", error.Message);
        }

        [Fact]
        public void OneClassIsRefusedAfterTheFirstStreamedPass()
        {
            var ml = new MLContext(seed: 1);
            var rows = TestData.Blobs(Rows, 4, seed: 1, Features);
            foreach (var row in rows)
                row.Label = 2;
            var data = ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(ml, Features));
            var keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(Data(ml)).Transform(data);
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 2, MemoryBudgetMegabytes = 1 };
            var error = Assert.Throws<InvalidOperationException>(() => ml.MulticlassClassification.Trainers.BnMlp(options).Fit(keyed));
            Assert.Contains("has only one class", error.Message);
        }

        [Fact]
        public void ValidationFractionNeedsTheRowsInMemory()
        {
            var ml = new MLContext(seed: 1);
            var options = new BnMlpTrainer.Options { ValidationFraction = 0.1f, MemoryBudgetMegabytes = 1 };
            var error = Assert.Throws<InvalidOperationException>(() => TestData.Pipeline(ml, options).Fit(Data(ml)));
            Assert.Contains("pass validation data to Fit(train, validation) instead", error.Message);
        }
    }
}
