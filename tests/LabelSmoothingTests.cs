using System.Linq;
using Microsoft.ML;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNet.BatchNorm.Tests
{
    public sealed class LabelSmoothingTests
    {
        /// <summary>On three well-separated blobs the network learns every row; with smoothing s it is trained toward
        /// probability 1 - s + s / 3 for the true class (0.867 at s = 0.2), not toward 1.</summary>
        [Fact]
        public void SmoothingTrainsTowardTheSmoothedTargetNotCertainty()
        {
            double MeanTopProbability(float smoothing)
            {
                var ml = new MLContext(seed: 3);
                var data = TestData.BlobView(ml, rows: 300, classes: 3, seed: 5);
                var options = new BnMlpTrainer.Options
                {
                    HiddenLayerSizes = [16], LabelSmoothing = smoothing, NumberOfEpochs = 60, EnsembleSize = 1, NumberOfThreads = 1,
                };
                var model = TestData.Pipeline(ml, options).Fit(data);
                return TestData.Scores(model.Transform(data)).Average(scores => scores.Max());
            }

            Assert.InRange(MeanTopProbability(0), 0.97, 1);
            Assert.InRange(MeanTopProbability(0.2f), 0.82, 0.91);
        }

        /// <summary>Null smooths as <see cref="BnMlpTrainer.Defaults.LabelSmoothingFor"/> says for the training rows: the
        /// same model, bit for bit, as the explicit value.</summary>
        [Theory]
        [InlineData(300, BnMlpTrainer.Defaults.SmallDataLabelSmoothing)]
        [InlineData(BnMlpTrainer.Defaults.LabelSmoothingRows, 0f)]
        public void TheDefaultFollowsTheTrainingRows(int rows, float expected)
        {
            float[][] Scores(float? smoothing)
            {
                var ml = new MLContext(seed: 4);
                var data = TestData.BlobView(ml, rows, classes: 3, seed: 6);
                var options = new BnMlpTrainer.Options
                {
                    HiddenLayerSizes = [16], LabelSmoothing = smoothing, NumberOfEpochs = 2, EnsembleSize = 1, NumberOfThreads = 1,
                };
                return TestData.Scores(TestData.Pipeline(ml, options).Fit(data).Transform(data));
            }

            var byDefault = Scores(null);
            Assert.Equal(Scores(expected), byDefault);
            Assert.NotEqual(Scores(expected == 0 ? 0.05f : 0), byDefault);
        }

        /// <summary>Training minimizes the smoothed loss; validation reports the log-loss of the labels themselves.</summary>
        [Fact]
        public void OnlyTheTrainingLossIsSmoothed()
        {
            using var scope = NewDisposeScope();
            var outputs = tensor(new float[] { 2, -1, 0.5f, 0, 3, -2 }, [2, 3]);
            var labels = tensor(new long[] { 0, 1 });
            var plain = TrainingObjective.CrossEntropy(0);
            var smoothed = TrainingObjective.CrossEntropy(0.2f);
            float Value(Tensor loss) => loss.item<float>();

            Assert.Equal(Value(plain.Loss(outputs, labels, nn.Reduction.Mean)), Value(smoothed.Loss(outputs, labels, nn.Reduction.Mean)));
            // Row 0: -0.8 ln p0 - 0.2 / 3 (ln p0 + ln p1 + ln p2), and likewise row 1, averaged.
            var logProbabilities = outputs.log_softmax(1).data<float>().ToArray();
            double expected = Enumerable.Range(0, 2).Average(row =>
                -0.8 * logProbabilities[row * 3 + row] - 0.2 / 3 * logProbabilities.Skip(row * 3).Take(3).Sum());
            float smoothedTraining = Value(smoothed.TrainingLoss(outputs, labels, exampleWeights: null, members: 1));
            Assert.Equal(expected, smoothedTraining, 5);
            Assert.NotEqual(Value(plain.TrainingLoss(outputs, labels, exampleWeights: null, members: 1)), smoothedTraining);
        }

        [Theory]
        [InlineData(-0.1f)]
        [InlineData(1f)]
        [InlineData(float.NaN)]
        public void ASmoothingOutsideZeroToOneIsRefused(float smoothing)
        {
            var error = Assert.ThrowsAny<System.ArgumentException>(() =>
                new MLContext().MulticlassClassification.Trainers.BnMlp(new BnMlpTrainer.Options { LabelSmoothing = smoothing }));
            Assert.Equal(nameof(BnMlpTrainer.Options.LabelSmoothing), error.ParamName);
        }
    }
}
