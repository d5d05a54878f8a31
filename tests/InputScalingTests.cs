using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.BatchNorm.TestSupport;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>Input scaling inside the trainer (<see cref="BnMlpOptionsBase.InputScaling"/>) and the size-aware batch
    /// size and epochs.</summary>
    public sealed class InputScalingTests
    {
        private const int Features = 6;

        /// <summary>Feature i of the latent standard-normal row, multiplied by 10^(i - 2) and shifted by 10^i: raw tabular
        /// columns on very different scales.</summary>
        private static readonly double[] Scales = [1e-2, 1e-1, 1, 1e1, 1e2, 1e3];

        /// <summary>Two classes split by a hyperplane through the latent rows (noise-free, so a linear model can be perfect);
        /// the features are the latent values on <see cref="Scales"/>, offset by <c>10^i</c>.</summary>
        private static Digit[] Hyperplane(int rows, int seed, double[] scales = null)
        {
            scales ??= Scales;
            var random = new Random(seed);
            double[] normal = [1, -1, 0.8, 0.6, -0.9, 0.7];
            return Enumerable.Range(0, rows).Select(_ =>
            {
                var z = Enumerable.Range(0, Features).Select(_ => TestData.Normal(random)).ToArray();
                double side = z.Select((v, i) => v * normal[i]).Sum();
                return new Digit
                {
                    Label = side > 0 ? 1u : 0u,
                    // Each feature's mean is ten of its standard deviations: far from 0, yet within what float folding keeps to 1e-5.
                    Features = z.Select((v, i) => (float)((v + 10) * scales[i])).ToArray(),
                };
            }).ToArray();
        }

        private static IDataView View(MLContext ml, Digit[] rows) =>
            ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(ml, rows[0].Features.Length));

        private static double Accuracy(MLContext ml, ITransformer model, Digit[] rows) =>
            ml.MulticlassClassification.Evaluate(model.Transform(View(ml, rows))).MicroAccuracy;

        [Theory]
        [InlineData(BnMlpInputScaling.Standard)]
        [InlineData(BnMlpInputScaling.StandardSmoothClip)]
        public void ScoresMatchTheUnfoldedReferenceThatScalesExplicitly(BnMlpInputScaling scaling)
        {
            var ml = new MLContext(seed: 1);
            var rows = Hyperplane(300, seed: 1);
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [16, 8], NumberOfEpochs = 3, InputScaling = scaling, BatchNormOnInput = true };
            var model = TestData.Pipeline(ml, options).Fit(View(ml, rows));
            var parameters = model.LastTransformer.Model;
            Assert.Equal(scaling == BnMlpInputScaling.StandardSmoothClip, parameters.InputScaling.SmoothClip);
            var scores = TestData.Scores(model.Transform(View(ml, rows)));
            for (int i = 0; i < rows.Length; i++)
            {
                // ReferenceForward scales, clips and normalizes the raw features in double, then runs the unfolded layers.
                var reference = ReferenceNetwork.Probabilities(parameters, rows[i].Features);
                for (int k = 0; k < 2; k++)
                    Assert.Equal(reference[k], scores[i][k], 1e-5);
            }
        }

        [Theory]
        [InlineData(BnMlpInputScaling.Standard)]
        [InlineData(BnMlpInputScaling.StandardSmoothClip)]
        public void TheStatisticsAreThoseOfAllTrainingRowsStreamedOrNot(BnMlpInputScaling scaling)
        {
            // 3,000 rows x 100 features take 1.2 MB: a 1 MB budget streams them in two windows.
            var rows = TestData.Blobs(3000, 4, seed: 3, features: 100);
            foreach (var row in rows)
            {
                row.Features[0] = row.Features[0] * 1e6f + 3e7f;
                row.Features[1] = 42;
            }
            InputScalingParameters Fitted(int budget)
            {
                var ml = new MLContext(seed: 3);
                var options = new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 1, InputScaling = scaling, MemoryBudgetMegabytes = budget, PiecewiseLinearBins = 0 };
                return TestData.Pipeline(ml, options).Fit(View(ml, rows)).LastTransformer.Model.InputScaling;
            }
            foreach (var fitted in new[] { Fitted(1000), Fitted(1) })
            {
                for (int f = 0; f < 100; f++)
                {
                    double mean = rows.Average(r => (double)r.Features[f]);
                    double std = Math.Sqrt(rows.Average(r => ((double)r.Features[f] - mean) * ((double)r.Features[f] - mean)));
                    Assert.Equal(f == 1 ? 0f : (float)mean, fitted.Shift[f]);
                    Assert.Equal(f == 1 ? 0f : (float)(1 / std), fitted.Scale[f]);
                }
            }
        }

        [Theory]
        [InlineData(BnMlpInputScaling.Standard)]
        [InlineData(BnMlpInputScaling.StandardSmoothClip)]
        public void ConstantAndHugeFeaturesTrainToAFiniteModelThatPredictsWell(BnMlpInputScaling scaling)
        {
            // Feature 0 constant, feature 1 constant at 1e30, feature 2 carries the class at ±1e30, feature 3 is noise.
            Digit[] Rows(int count, int seed)
            {
                var random = new Random(seed);
                return Enumerable.Range(0, count).Select(i => new Digit
                {
                    Label = (uint)(i % 2),
                    Features = [7, 1e30f, (float)((i % 2 == 0 ? -1 : 1) * 1e30 + 4e29 * TestData.Normal(random)), (float)TestData.Normal(random)],
                }).ToArray();
            }
            var ml = new MLContext(seed: 4);
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [16], InputScaling = scaling };
            var model = TestData.Pipeline(ml, options).Fit(View(ml, Rows(400, seed: 4)));
            var parameters = model.LastTransformer.Model.InputScaling;
            // Constant features are ignored: scaled to 0 whatever their value.
            Assert.Equal([0f, 0f], parameters.Scale.Take(2));
            Assert.Equal([0f, 0f], parameters.Shift.Take(2));
            var test = Rows(1000, seed: 5);
            Assert.All(TestData.Scores(model.Transform(View(ml, test))), scores => Assert.All(scores, s => Assert.True(float.IsFinite(s))));
            // Two classes 5 standard deviations apart: about 0.6 % of rows fall on the wrong side.
            Assert.True(Accuracy(ml, model, test) > 0.97, $"accuracy {Accuracy(ml, model, test):P1}");
        }

        [Fact]
        public void TrainingScalesEachValueToTheBitsScoringGivesIt()
        {
            // 3,001 rows of 37 features (not a multiple of a vector's width, and more than one 1 MB block): values from
            // tiny to beyond the clip's bound, so the vector loop, its scalar tail and the clamp are all exercised.
            const int rows = 3001, features = 37;
            var random = new Random(7);
            var values = Enumerable.Range(0, rows * features).Select(i => (float)(TestData.Normal(random) * Math.Pow(10, i % 7 * 3 - 6))).ToArray();
            var shift = Enumerable.Range(0, features).Select(i => (float)(random.NextDouble() - 0.5)).ToArray();
            var scale = Enumerable.Range(0, features).Select(i => i % 5 == 0 ? 0f : (float)Math.Pow(10, i % 9 - 3)).ToArray();
            var parameters = new InputScalingParameters(shift, scale, smoothClip: true);
            using var tensor = TorchSharp.torch.tensor(values, [rows, features]);
            new FeatureScaler(parameters).ApplyInPlace(tensor);
            var scaled = tensor.data<float>().ToArray();
            for (int i = 0; i < values.Length; i++)
            {
                int j = i % features;
                float expected = InputScalingParameters.SmoothClipValue((values[i] - shift[j]) * scale[j]);
                Assert.True(BitConverter.SingleToInt32Bits(expected) == BitConverter.SingleToInt32Bits(scaled[i]),
                    $"value {i} ({values[i]:R}, feature {j}): scoring gives {expected:R}, training {scaled[i]:R}");
            }
        }

        [Fact]
        public void TheStatisticsAgreeWithATwoPassReferenceInDouble()
        {
            // Means a hundred thousand standard deviations from 0, over more rows than one block.
            const int rows = 20000, features = 11;
            var random = new Random(8);
            var values = Enumerable.Range(0, rows * features).Select(i => (float)(1e5 * (i % features + 1) + TestData.Normal(random) * (i % features + 1))).ToArray();
            using var tensor = TorchSharp.torch.tensor(values, [rows, features]);
            var statistics = new FeatureStatistics(features);
            statistics.Add(tensor);
            var scaling = statistics.ToScaling(BnMlpInputScaling.Standard);
            for (int j = 0; j < features; j++)
            {
                var column = Enumerable.Range(0, rows).Select(r => (double)values[r * features + j]).ToArray();
                double mean = column.Average();
                double std = Math.Sqrt(column.Sum(x => (x - mean) * (x - mean)) / rows);
                Assert.Equal((float)mean, scaling.Shift[j]);
                Assert.Equal((float)(1 / std), scaling.Scale[j], 6);
            }
        }

        [Fact]
        public void HugeUnscaledFeaturesAreNamedWhenTrainingDiverges()
        {
            var ml = new MLContext(seed: 4);
            var rows = Enumerable.Range(0, 200).Select(i => new Digit { Label = (uint)(i % 2), Features = [(i % 2 == 0 ? -1 : 1) * 1e30f * (1 + i % 7), 1] }).ToArray();
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 2, InputScaling = BnMlpInputScaling.None };
            // The loss stays finite here; the batch variances overflow, so the model is refused when it is exported.
            var error = Assert.Throws<InvalidOperationException>(() => TestData.Pipeline(ml, options).Fit(View(ml, rows)));
            Assert.StartsWith("Training produced an unusable model", error.Message);
            Assert.Contains("InputScaling is None", error.Message);
            Assert.Contains("7E+30", error.Message);
            Assert.DoesNotContain("learning rate", error.Message);
        }

        [Fact]
        public void AHundredRowSetTrainsWithTheDefaults()
        {
            var ml = new MLContext(seed: 6);
            var model = TestData.Pipeline(ml, new BnMlpTrainer.Options()).Fit(View(ml, Hyperplane(100, seed: 6)));
            double accuracy = Accuracy(ml, model, Hyperplane(2000, seed: 7));
            // A noise-free linear boundary in six dimensions, learnt from 100 rows: these defaults reached 87.0 % when
            // written (87.6 % with InputScaling Standard), the defaults before input scaling and the size rule (raw
            // features, batch 64, 15 epochs: 30 steps) 64.5 %.
            Assert.True(accuracy > 0.8, $"accuracy {accuracy:P1}");
        }

        [Fact]
        public void ExplicitBatchSizeAndEpochsOverrideTheSizeRule()
        {
            string Plan(BnMlpTrainer.Options options)
            {
                var ml = new MLContext(seed: 8);
                string plan = null;
                ml.Log += (_, e) => plan = e.RawMessage.Contains("training rows: batches of") ? e.RawMessage : plan;
                var recorder = new EpochRecorder();
                options.Progress = recorder;
                options.HiddenLayerSizes = [4];
                TestData.Pipeline(ml, options).Fit(View(ml, Hyperplane(100, seed: 8)));
                // An ensemble's networks train side by side: one report per epoch.
                Assert.Equal(recorder.Epochs[0].NumberOfEpochs, recorder.Epochs.Count);
                return $"{plan} / {recorder.Epochs.Count}";
            }
            // 100 rows of two classes: batches of 16 (7 a pass), ceil(500 / 7) = 72 epochs, three networks below 4,096 rows.
            Assert.Equal("100 training rows: batches of 16, 72 epochs, 3 networks (size-aware defaults). / 72", Plan(new BnMlpTrainer.Options()));
            Assert.Equal("100 training rows: batches of 10, 3 epochs. / 3", Plan(new BnMlpTrainer.Options { BatchSize = 10, NumberOfEpochs = 3, EnsembleSize = 1 }));
            Assert.Equal("100 training rows: batches of 10, 3 epochs, 2 networks. / 3", Plan(new BnMlpTrainer.Options { BatchSize = 10, NumberOfEpochs = 3, EnsembleSize = 2 }));
            // An explicit batch size alone: the epochs follow it (10 steps a pass, 50 epochs).
            Assert.Equal("100 training rows: batches of 10, 50 epochs (size-aware defaults). / 50", Plan(new BnMlpTrainer.Options { BatchSize = 10, EnsembleSize = 1 }));
            // Explicit epochs alone: the batch size still follows the rows.
            Assert.Equal("100 training rows: batches of 16, 4 epochs (size-aware defaults). / 4", Plan(new BnMlpTrainer.Options { NumberOfEpochs = 4, EnsembleSize = 1 }));
        }

        [Theory]
        [InlineData(2, 10, 16, 400)]
        [InlineData(100, 10, 16, 400)]
        [InlineData(100, 0, 16, 400)]
        [InlineData(100, 2, 16, 72)]
        [InlineData(300, 0, 16, 211)]
        [InlineData(1000, 10, 16, 64)]
        [InlineData(1000, 2, 16, 15)]
        [InlineData(2047, 3, 16, 32)]
        [InlineData(2048, 0, 32, 32)]
        [InlineData(2048, 2, 32, 15)]
        [InlineData(4096, 10, 64, 32)]
        [InlineData(10_000, 10, 64, 15)]
        [InlineData(500_000, 2, 64, 15)]
        public void TheSizeRuleGivesTheDocumentedValues(long rows, int classes, int batchSize, int epochs)
        {
            Assert.Equal(batchSize, BnMlpOptionsBase.Defaults.BatchSizeFor(rows));
            Assert.Equal(epochs, BnMlpOptionsBase.Defaults.NumberOfEpochsFor(rows, batchSize, classes));
        }

        [Fact]
        public void TheSizeRuleCountsEachTrainersClasses()
        {
            static string Plan<TTransformer>(MLContext ml, IEstimator<TTransformer> trainer, IDataView data) where TTransformer : ITransformer
            {
                string plan = null;
                ml.Log += (_, e) => plan = e.RawMessage.Contains("training rows: batches of") ? e.RawMessage : plan;
                trainer.Fit(data);
                return plan;
            }
            var ml = new MLContext(seed: 10);
            // 100 rows in batches of 16, 7 a pass: two classes aim for 500 steps (72 epochs), regression for 4,000 (572,
            // capped at 400).
            var binary = ml.BinaryClassification.Trainers.BnMlp(new BnMlpBinaryTrainer.Options { HiddenLayerSizes = [4] });
            Assert.Equal("100 training rows: batches of 16, 72 epochs, 3 networks (size-aware defaults).", Plan(ml, binary, ml.Data.LoadFromEnumerable(ToyBinary.Generate(100, seed: 10))));
            var regression = ml.Regression.Trainers.BnMlp(new BnMlpRegressionTrainer.Options { HiddenLayerSizes = [4] });
            Assert.Equal("100 training rows: batches of 16, 400 epochs, 3 networks (size-aware defaults).", Plan(ml, regression, ml.Data.LoadFromEnumerable(ToyCurve.Generate(100, noise: 1, seed: 10))));
            // Explicit epochs and schedule win over the binary defaults (500 steps, cosine).
            var recorder = new EpochRecorder();
            var explicitOptions = ml.BinaryClassification.Trainers.BnMlp(new BnMlpBinaryTrainer.Options
            {
                HiddenLayerSizes = [4], NumberOfEpochs = 300, LearningRateSchedule = LearningRateSchedule.Constant, Progress = recorder,
            });
            Assert.Equal("100 training rows: batches of 16, 300 epochs, 3 networks (size-aware defaults).", Plan(ml, explicitOptions, ml.Data.LoadFromEnumerable(ToyBinary.Generate(100, seed: 10))));
            Assert.All(recorder.Epochs, e => Assert.Equal(BnMlpOptionsBase.Defaults.LearningRate, e.LearningRate, 1e-9));
        }

        [Fact]
        public void TheBinaryTrainerDecaysTheLearningRateByDefault()
        {
            var ml = new MLContext(seed: 11);
            var recorder = new EpochRecorder();
            var options = new BnMlpBinaryTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 4, EnsembleSize = 1, Progress = recorder };
            ml.BinaryClassification.Trainers.BnMlp(options).Fit(ml.Data.LoadFromEnumerable(ToyBinary.Generate(100, seed: 11)));
            // Cosine over 4 epochs: the rate times (1 + cos(pi (epoch - 1) / 4)) / 2.
            double[] expected = [1.0, 0.8535533905932737, 0.5, 0.14644660940672627];
            double[] factors = recorder.Epochs.Select(e => e.LearningRate / BnMlpOptionsBase.Defaults.LearningRate).ToArray();
            Assert.Equal(expected.Length, factors.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.Equal(expected[i], factors[i], 6);
            Assert.Equal(LearningRateSchedule.Constant, new BnMlpTrainer.Options().LearningRateSchedule);
            Assert.Equal(LearningRateSchedule.Constant, new BnMlpRegressionTrainer.Options().LearningRateSchedule);
        }

        [Theory]
        [InlineData(1, 3, 4000)]
        [InlineData(2047, 10, 4000)]
        [InlineData(2047, 0, 4000)]
        [InlineData(2048, 10, 2000)]
        [InlineData(2048, 0, 2000)]
        [InlineData(1_000_000, 0, 2000)]
        [InlineData(100, 2, 500)]
        [InlineData(1_000_000, 2, 500)]
        [InlineData(16_000, 11, 4000)]
        [InlineData(16_000, 26, 6000)]
        [InlineData(1000, 26, 6000)]
        [InlineData(1000, 19, 4000)]
        public void SmallDataAndManyClassesGetMoreStepsExceptWithTwoClasses(long rows, int classes, int steps)
        {
            Assert.Equal(steps, BnMlpOptionsBase.Defaults.StepsFor(rows, classes));
        }

        [Theory]
        [InlineData(1)]
        [InlineData(-1)]
        public void TheSizeRuleRejectsAClassCountThatIsNoLabel(int classes)
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => BnMlpOptionsBase.Defaults.StepsFor(100, classes));
            Assert.Equal("classes", error.ParamName);
        }

        [Fact]
        public void TheSizeRuleRejectsNoRows()
        {
            var error = Assert.Throws<ArgumentOutOfRangeException>(() => BnMlpOptionsBase.Defaults.StepsFor(0, 3));
            Assert.Equal("trainingRows", error.ParamName);
        }

        [Theory]
        [InlineData(BnMlpInputScaling.Standard)]
        [InlineData(BnMlpInputScaling.StandardSmoothClip)]
        public void AScaledModelSavesAndLoadsBitIdentically(BnMlpInputScaling scaling)
        {
            var ml = new MLContext(seed: 9);
            var rows = Hyperplane(300, seed: 9);
            var data = View(ml, rows);
            var model = TestData.Pipeline(ml, new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 2, InputScaling = scaling }).Fit(data);
            var saved = model.LastTransformer.Model.InputScaling;
            // The single-row paths too: PredictionEngine (RowScorer) and BnMlpPredictor read from the zip, bit for bit.
            var reloaded = TestData.AssertZipScoresBitIdentically(ml, model, rows).Model.InputScaling;
            Assert.Equal(saved.Shift, reloaded.Shift);
            Assert.Equal(saved.Scale, reloaded.Scale);
            Assert.Equal(saved.SmoothClip, reloaded.SmoothClip);
        }

        [Fact]
        public void AnUnknownInputScalingIsRefusedByName()
        {
            var ml = new MLContext(seed: 11);
            var error = Assert.ThrowsAny<ArgumentException>(() => ml.MulticlassClassification.Trainers.BnMlp(new BnMlpTrainer.Options { InputScaling = (BnMlpInputScaling)9 }));
            Assert.Equal("InputScaling", error.ParamName);
            Assert.Contains("BnMlpInputScaling", error.Message);
        }
    }
}
