using System;
using System.Linq;
using Microsoft.ML;
using MLNet.BatchNorm.TestSupport;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    public sealed class PopulationStatisticsTests
    {
        [Fact]
        public void ExactStatisticsOfOneFullBatchEqualAManagedComputation()
        {
            // With one batch of all rows, Algorithm 2 gives each BN layer the mean and the unbiased variance of its
            // input over the whole set, the earlier layers normalized with that same batch: computed here independently.
            var ml = new MLContext(seed: 3);
            var rows = TestData.Blobs(rows: 40, classes: 3, seed: 3, features: 6);
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [5, 4], BatchSize = 40, NumberOfEpochs = 5, PiecewiseLinearBins = 0 };
            var model = TestData.Pipeline(ml, options).Fit(ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(ml, 6))).LastTransformer.Model;

            // The first layer sees the scaled features (the trainer's input scaling, as the reference applies it).
            double[][] x = rows.Select(r => ReferenceForward.NormalizedInput(model, r.Features)).ToArray();
            foreach (var layer in model.Layers.Take(2))
            {
                var h = x.Select(row => Enumerable.Range(0, layer.OutputCount)
                    .Select(j => Enumerable.Range(0, layer.InputCount).Sum(i => layer.Weights[j * layer.InputCount + i] * row[i])).ToArray()).ToArray();
                var bn = layer.BatchNorm;
                for (int j = 0; j < layer.OutputCount; j++)
                {
                    double mean = h.Average(row => row[j]);
                    double biased = h.Average(row => (row[j] - mean) * (row[j] - mean));
                    Assert.Equal(mean, bn.Mean[j], 1e-4);
                    Assert.Equal(biased * 40 / 39, bn.Variance[j], 1e-4 * Math.Max(1, biased));
                    foreach (var row in h)
                        row[j] = Math.Max(0, bn.Gamma[j] * (row[j] - mean) / Math.Sqrt(biased + bn.Epsilon) + bn.Beta[j]);
                }
                x = h;
            }
        }

        [Fact]
        public void ExactMeanOfTheFirstLayerIsTheMeanOverAllRowsWhateverTheBatches()
        {
            // Equal-size batches: the average of the batch means of W x is the mean of W x over all rows. Seven batches,
            // so the pass's two halves (three and four batches) must be merged weighted by their batch counts.
            var ml = new MLContext(seed: 4);
            var rows = TestData.Blobs(rows: 140, classes: 3, seed: 4, features: 6);
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [5], BatchSize = 20, NumberOfEpochs = 3, PiecewiseLinearBins = 0 };
            var model = TestData.Pipeline(ml, options).Fit(ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(ml, 6))).LastTransformer.Model;
            var layer = model.Layers[0];
            var inputs = rows.Select(r => ReferenceForward.NormalizedInput(model, r.Features)).ToArray();
            for (int j = 0; j < layer.OutputCount; j++)
            {
                double mean = inputs.Average(x => Enumerable.Range(0, 6).Sum(i => layer.Weights[j * 6 + i] * x[i]));
                Assert.Equal(mean, layer.BatchNorm.Mean[j], 1e-4);
            }
        }

        [Fact]
        public void MovingAveragesFollowTheirDecayWhereExactStatisticsAreThePopulations()
        {
            // One epoch of one batch holding every row, at a learning rate too small to move any weight: the only batch
            // the moving averages saw is the population, under the returned weights. Moving averages start at mean 0 and
            // variance 1 and take one step of decay 0.25; the exact pass gives the population's mean and unbiased variance.
            const float decay = 0.25f;
            var rows = TestData.Blobs(rows: 100, classes: 3, seed: 5, features: 6);
            BnMlpLayer FirstLayer(PopulationStatisticsMode mode)
            {
                var ml = new MLContext(seed: 5);
                var options = new BnMlpTrainer.Options
                {
                    HiddenLayerSizes = [5], BatchSize = 100, NumberOfEpochs = 1, LearningRate = 1e-30f, PopulationStatistics = mode, MovingAverageDecay = decay,
                    InputScaling = BnMlpInputScaling.None, EnsembleSize = 1, PiecewiseLinearBins = 0,
                };
                return TestData.Pipeline(ml, options).Fit(ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(ml, 6))).LastTransformer.Model.Layers[0];
            }
            var exactLayer = FirstLayer(PopulationStatisticsMode.Exact);
            var movingLayer = FirstLayer(PopulationStatisticsMode.MovingAverage);
            Assert.Equal(exactLayer.Weights, movingLayer.Weights);
            for (int j = 0; j < exactLayer.OutputCount; j++)
            {
                double[] h = rows.Select(r => Enumerable.Range(0, 6).Sum(i => (double)exactLayer.Weights[j * 6 + i] * r.Features[i])).ToArray();
                double mean = h.Average(), unbiased = h.Sum(v => (v - mean) * (v - mean)) / (h.Length - 1);
                Assert.Equal(mean, exactLayer.BatchNorm.Mean[j], 1e-4);
                Assert.Equal(unbiased, exactLayer.BatchNorm.Variance[j], unbiased * 1e-4);
                Assert.Equal((1 - decay) * mean, movingLayer.BatchNorm.Mean[j], 1e-4);
                Assert.Equal(decay * 1 + (1 - decay) * unbiased, movingLayer.BatchNorm.Variance[j], unbiased * 1e-4);
            }
        }
    }
}
