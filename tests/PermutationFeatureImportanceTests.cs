using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Xunit;
using Xunit.Abstractions;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>
    /// ML.NET's permutation feature importance on BN-MLP models, through both its overloads: the one taking the
    /// prediction transformer (<see cref="ISingleFeaturePredictionTransformer{TModel}"/>, importance per slot) and the one
    /// taking any <see cref="ITransformer"/> such as a whole pipeline (importance per slot name). In a synthetic task where
    /// two features decide the label and three are noise, permuting an informative feature must hurt more than permuting
    /// any noise feature.
    /// </summary>
    public sealed class PermutationFeatureImportanceTests
    {
        private const int Rows = 600;
        private const int Permutations = 3;
        private static readonly string[] Informative = [nameof(SyntheticRow.Signal1), nameof(SyntheticRow.Signal2)];
        private static readonly string[] Noise = [nameof(SyntheticRow.Noise1), nameof(SyntheticRow.Noise2), nameof(SyntheticRow.Noise3)];
        private static readonly string[] FeatureNames = [.. Informative, .. Noise];

        private readonly ITestOutputHelper _output;

        public PermutationFeatureImportanceTests(ITestOutputHelper output) => _output = output;

        [Fact]
        public void MulticlassImportanceRanksInformativeFeaturesAboveNoise()
        {
            var ml = new MLContext(seed: 6);
            var raw = ml.Data.LoadFromEnumerable(Synthetic(Rows, seed: 6));
            var preprocessing = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.Concatenate("Features", FeatureNames));
            var trainer = ml.MulticlassClassification.Trainers.BnMlp(new BnMlpTrainer.Options { HiddenLayerSizes = [16], NumberOfEpochs = 20, LearningRate = 0.01f });
            var features = preprocessing.Fit(raw).Transform(raw);

            var transformer = trainer.Fit(features);
            var bySlot = ml.MulticlassClassification.PermutationFeatureImportance(transformer, features, permutationCount: Permutations);
            AssertInformativeFirst(bySlot.Select(s => -s.MicroAccuracy.Mean).ToArray());

            var pipeline = preprocessing.Append(trainer).Fit(raw);
            var byName = ml.MulticlassClassification.PermutationFeatureImportance((ITransformer)pipeline, features, permutationCount: Permutations);
            AssertInformativeFirst(FeatureNames.Select(name => -byName[name].MicroAccuracy.Mean).ToArray());
        }

        [Fact]
        public void RegressionImportanceRanksInformativeFeaturesAboveNoise()
        {
            var ml = new MLContext(seed: 7);
            var raw = ml.Data.LoadFromEnumerable(Synthetic(Rows, seed: 7));
            var preprocessing = ml.Transforms.Concatenate("Features", FeatureNames);
            var trainer = ml.Regression.Trainers.BnMlp(new BnMlpRegressionTrainer.Options
            {
                LabelColumnName = nameof(SyntheticRow.Target),
                HiddenLayerSizes = [16],
                NumberOfEpochs = 30,
                LearningRate = 0.01f,
            });
            var features = preprocessing.Fit(raw).Transform(raw);

            var transformer = trainer.Fit(features);
            var bySlot = ml.Regression.PermutationFeatureImportance(transformer, features, labelColumnName: nameof(SyntheticRow.Target), permutationCount: Permutations);
            AssertInformativeFirst(bySlot.Select(s => -s.RSquared.Mean).ToArray());

            var pipeline = preprocessing.Append(trainer).Fit(raw);
            var byName = ml.Regression.PermutationFeatureImportance((ITransformer)pipeline, features, labelColumnName: nameof(SyntheticRow.Target), permutationCount: Permutations);
            AssertInformativeFirst(FeatureNames.Select(name => -byName[name].RSquared.Mean).ToArray());
        }

        [Fact]
        public void BinaryImportanceRanksInformativeFeaturesAboveNoise()
        {
            var ml = new MLContext(seed: 8);
            var raw = ml.Data.LoadFromEnumerable(Synthetic(Rows, seed: 8));
            var preprocessing = ml.Transforms.Concatenate("Features", FeatureNames);
            var trainer = ml.BinaryClassification.Trainers.BnMlp(new BnMlpBinaryTrainer.Options
            {
                LabelColumnName = nameof(SyntheticRow.Positive),
                HiddenLayerSizes = [16],
                NumberOfEpochs = 20,
                LearningRate = 0.01f,
            });
            var features = preprocessing.Fit(raw).Transform(raw);

            var transformer = trainer.Fit(features);
            var bySlot = ml.BinaryClassification.PermutationFeatureImportance(transformer, features, labelColumnName: nameof(SyntheticRow.Positive), permutationCount: Permutations);
            AssertInformativeFirst(bySlot.Select(s => -s.AreaUnderRocCurve.Mean).ToArray());

            var pipeline = preprocessing.Append(trainer).Fit(raw);
            var byName = ml.BinaryClassification.PermutationFeatureImportanceNonCalibrated((ITransformer)pipeline, features, labelColumnName: nameof(SyntheticRow.Positive), permutationCount: Permutations);
            AssertInformativeFirst(FeatureNames.Select(name => -byName[name].AreaUnderRocCurve.Mean).ToArray());
        }

        /// <summary>Each value is how much permuting that feature (in <see cref="FeatureNames"/> order) hurt the metric.</summary>
        private void AssertInformativeFirst(IReadOnlyList<double> loss)
        {
            Assert.Equal(FeatureNames.Length, loss.Count);
            _output.WriteLine(string.Join(", ", FeatureNames.Select((n, i) => $"{n} {loss[i]:F4}")));
            double weakestSignal = loss.Take(Informative.Length).Min();
            double strongestNoise = loss.Skip(Informative.Length).Max();
            Assert.True(weakestSignal > strongestNoise,
                $"Permutation losses {string.Join(", ", FeatureNames.Select((n, i) => $"{n} {loss[i]:F4}"))}: every signal should exceed every noise feature.");
        }

        /// <summary>Five standard normal features; the label is the larger of Signal1, Signal2 and -(Signal1 + Signal2),
        /// the binary label whether Signal1 - Signal2 is positive, and the regression target 3 Signal1 - 2 Signal2 plus a
        /// little noise. Noise1-3 play no part in any.</summary>
        private static SyntheticRow[] Synthetic(int count, int seed)
        {
            var random = new Random(seed);
            float Draw() => (float)TestData.Normal(random);
            return Enumerable.Range(0, count).Select(_ =>
            {
                var row = new SyntheticRow { Signal1 = Draw(), Signal2 = Draw(), Noise1 = Draw(), Noise2 = Draw(), Noise3 = Draw() };
                float[] classes = [row.Signal1, row.Signal2, -(row.Signal1 + row.Signal2)];
                row.Label = (uint)Array.IndexOf(classes, classes.Max());
                row.Positive = row.Signal1 - row.Signal2 > 0;
                row.Target = 3 * row.Signal1 - 2 * row.Signal2 + 0.1f * Draw();
                return row;
            }).ToArray();
        }

        internal sealed class SyntheticRow
        {
            public uint Label { get; set; }

            public float Target { get; set; }

            public bool Positive { get; set; }

            public float Signal1 { get; set; }

            public float Signal2 { get; set; }

            public float Noise1 { get; set; }

            public float Noise2 { get; set; }

            public float Noise3 { get; set; }
        }
    }
}
