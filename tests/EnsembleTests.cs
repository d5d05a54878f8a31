using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MLNet.BatchNorm.TestSupport;
using Xunit;
using static TorchSharp.torch;

namespace MLNet.BatchNorm.Tests
{
    /// <summary><see cref="BnMlpOptionsBase.EnsembleSize"/>: networks trained side by side, each on its own loss, held as
    /// one wider network that outputs the mean of theirs.</summary>
    public sealed class EnsembleTests
    {
        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void TheMergedNetworkOutputsTheMeanOfItsMembersOutputs(bool batchNorm)
        {
            var members = Enumerable.Range(0, 3).Select(seed => RandomModel(new Random(seed), batchNorm, [6, 5, 4], features: 7, outputs: 3)).ToArray();
            var merged = Ensemble.Merge(members);
            Assert.Equal([18, 15, 12], merged.HiddenLayerSizes);
            var random = new Random(9);
            for (int row = 0; row < 20; row++)
            {
                var features = Enumerable.Range(0, 7).Select(_ => (float)TestData.Normal(random)).ToArray();
                double[] expected = new double[3];
                foreach (var member in members)
                {
                    var outputs = ReferenceForward.PreActivations(member, features)[^1];
                    for (int o = 0; o < 3; o++)
                        expected[o] += outputs[o] / members.Length;
                }
                var actual = ReferenceForward.PreActivations(merged, features)[^1];
                Assert.Equal(expected, actual, (e, a) => Math.Abs(e - a) <= 1e-5 * (1 + Math.Abs(e)));
            }
        }

        [Fact]
        public void MembersWithoutHiddenLayersAverageTheirWeights()
        {
            var members = Enumerable.Range(0, 2).Select(seed => RandomModel(new Random(seed), batchNorm: false, [], features: 4, outputs: 1)).ToArray();
            var merged = Ensemble.Merge(members);
            var layer = Assert.Single(merged.Layers);
            Assert.Equal(4, layer.InputCount);
            Assert.Equal(members[0].Layers[0].Weights.Zip(members[1].Layers[0].Weights, (a, b) => (a + b) / 2), layer.Weights, (e, a) => Math.Abs(e - a) <= 1e-6);
        }

        [Fact]
        public void AFittedEnsembleIsBlockDiagonalAndLearns()
        {
            var ml = new MLContext(seed: 1);
            var raw = TestData.BlobView(ml, rows: 600, classes: 3, seed: 5, features: 6);
            var data = ml.Data.Cache(ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(raw).Transform(raw));
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [8, 4], NumberOfEpochs = 5, EnsembleSize = 3 };
            var model = ml.MulticlassClassification.Trainers.BnMlp(options).Fit(data);
            Assert.Equal([24, 12], model.Model.HiddenLayerSizes);
            var second = model.Model.Layers[1];
            for (int unit = 0; unit < 12; unit++)
            {
                for (int input = 0; input < 24; input++)
                {
                    if (unit / 4 != input / 8)
                        Assert.Equal(0f, second.Weights[unit * 24 + input]);
                }
            }
            // The members start from different weights: their blocks differ.
            Assert.NotEqual(second.Weights.Take(8), second.Weights.Skip(4 * 24 + 8).Take(8));
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(data));
            Assert.True(metrics.MicroAccuracy >= 0.9, $"training accuracy {metrics.MicroAccuracy:P1}");
        }

        [Fact]
        public void AnEnsembleScoresARowAloneAsInABatchAndAsTheMergedNetworkDoes()
        {
            // Three networks of 100 units: the scorers' blocks of 64 and 128 units straddle the members' blocks, whose
            // zero weights both scorers skip.
            var ml = new MLContext(seed: 2);
            var rows = TestData.Blobs(rows: 403, classes: 3, seed: 4, features: 12);
            var view = ml.Data.LoadFromEnumerable(rows, TestData.SchemaWithFeatureSize(ml, 12));
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [100, 100], NumberOfEpochs = 3, EnsembleSize = 3 };
            var model = TestData.Pipeline(ml, options).Fit(view).LastTransformer;
            var batch = TestData.Scores(model.Transform(ml.Transforms.Conversion.MapValueToKey("Label").Fit(view).Transform(view)));
            var predictor = new BnMlpPredictor(model);
            var alone = new float[3];
            for (int i = 0; i < rows.Length; i++)
            {
                predictor.Predict(rows[i].Features, alone);
                Assert.True(batch[i].Select(BitConverter.SingleToInt32Bits).SequenceEqual(alone.Select(BitConverter.SingleToInt32Bits)), $"row {i}");
                var logits = ReferenceForward.PreActivations(model.Model, rows[i].Features)[^1];
                double total = logits.Sum(l => Math.Exp(l - logits.Max()));
                for (int c = 0; c < 3; c++)
                    Assert.Equal(Math.Exp(logits[c] - logits.Max()) / total, alone[c], 1e-5);
            }
        }

        /// <summary>Trained side by side, each member takes the steps it would take alone on its own batches: SGD with
        /// momentum (whose steps scale with the gradient, unlike Adam's) from the same weights, with batch normalization
        /// (bias-free hidden layers) and without (hidden biases), weighted and unweighted.</summary>
        [Theory]
        [InlineData(true, false)]
        [InlineData(false, true)]
        public void EachMemberLearnsAsItsOwnNetworkWould(bool batchNorm, bool exampleWeights)
        {
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [9, 5], UseBatchNorm = batchNorm, DropoutRate = 0 };
            const int members = 3, features = 6, classes = 4, rows = 16;
            using var ensemble = new BnMlpNetwork(features, classes, options, new Random(3), members);
            var alone = new BnMlpNetwork[members];
            for (int member = 0; member < members; member++)
            {
                alone[member] = new BnMlpNetwork(features, classes, options, new Random(50 + member));
                using var scope = NewDisposeScope();
                alone[member].CopyFrom(ensemble.MemberParameters(member, inputScaling: null));
            }
            float[] initial;
            using (NewDisposeScope())
                initial = ensemble.MemberParameters(1, inputScaling: null).Layers[1].Weights.ToArray();
            using var ensembleOptimizer = new FusedOptimizer(ensemble, BnMlpOptimizer.SgdMomentum, 0.1, 0.9, 1e-3);
            var optimizers = alone.Select(n => new FusedOptimizer(n, BnMlpOptimizer.SgdMomentum, 0.1, 0.9, 1e-3)).ToArray();
            var objective = TrainingObjective.CrossEntropy(BnMlpTrainer.Defaults.SmallDataLabelSmoothing);
            var generator = new Generator(17);
            for (int step = 0; step < 8; step++)
            {
                using var scope = NewDisposeScope();
                var x = Enumerable.Range(0, members).Select(_ => randn([rows, features], generator: generator)).ToArray();
                var labels = Enumerable.Range(0, members).Select(_ => randint(0, classes, [rows], generator: generator)).ToArray();
                var weights = Enumerable.Range(0, members).Select(_ => exampleWeights ? rand([rows], generator: generator) : null).ToArray();
                // The members' batches interleaved, as BatchPass.Members gathers them: row r of member m at r × members + m.
                Tensor Interleave(Tensor[] batches) => stack(batches, 1).reshape(rows * members, -1).squeeze(-1);
                ensembleOptimizer.ZeroGradients();
                objective.TrainingLoss(ensemble.MemberOutputs(Interleave(x)), Interleave(labels), exampleWeights ? Interleave(weights) : null, members).backward();
                ensembleOptimizer.Step();
                for (int member = 0; member < members; member++)
                {
                    optimizers[member].ZeroGradients();
                    objective.TrainingLoss(alone[member].MemberOutputs(x[member]), labels[member], weights[member], 1).backward();
                    optimizers[member].Step();
                }
            }
            for (int member = 0; member < members; member++)
            {
                using var scope = NewDisposeScope();
                var expected = alone[member].MemberParameters(0, inputScaling: null);
                var actual = ensemble.MemberParameters(member, inputScaling: null);
                for (int layer = 0; layer < expected.Layers.Count; layer++)
                {
                    Assert.Equal(expected.Layers[layer].Weights, actual.Layers[layer].Weights, (e, a) => Math.Abs(e - a) <= 1e-5);
                    if (batchNorm && layer < expected.Layers.Count - 1)
                        Assert.Equal(expected.Layers[layer].BatchNorm.Mean, actual.Layers[layer].BatchNorm.Mean, (e, a) => Math.Abs(e - a) <= 1e-5);
                    else
                        Assert.Equal(expected.Layers[layer].Bias, actual.Layers[layer].Bias, (e, a) => Math.Abs(e - a) <= 1e-5);
                }
                if (member == 1)
                    Assert.NotEqual(initial, actual.Layers[1].Weights);
                alone[member].Dispose();
                optimizers[member].Dispose();
            }
        }

        /// <summary>Outside training (validation, the statistics pass) every member reads the same rows: the training
        /// network then outputs what the merged model does, with and without hidden layers.</summary>
        [Theory]
        [InlineData(new[] { 7, 5 })]
        [InlineData(new int[0])]
        public void OutsideTrainingTheEnsembleOutputsWhatItsModelDoes(int[] hidden)
        {
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = hidden, UseBatchNorm = hidden.Length > 0, InitialBias = 0.1f };
            using var network = new BnMlpNetwork(6, 3, options, new Random(4), members: 3);
            network.eval();
            using var scope = NewDisposeScope();
            var model = network.ToModelParameters(inputScaling: null);
            var random = new Random(8);
            var rows = Enumerable.Range(0, 5).Select(_ => Enumerable.Range(0, 6).Select(_ => (float)TestData.Normal(random)).ToArray()).ToArray();
            var outputs = network.forward(tensor(rows.SelectMany(r => r).ToArray(), [5, 6])).data<float>().ToArray();
            for (int row = 0; row < rows.Length; row++)
            {
                var expected = ReferenceForward.PreActivations(model, rows[row])[^1];
                Assert.Equal(expected, outputs.Skip(row * 3).Take(3).Select(o => (double)o), (e, a) => Math.Abs(e - a) <= 1e-5 * (1 + Math.Abs(e)));
            }
        }

        /// <summary>Each member of a training pass gets its own row order: every member sees every row once per pass,
        /// in different orders.</summary>
        [Fact]
        public void APassForMembersGivesEachItsOwnRowOrder()
        {
            var orders = Enumerable.Range(0, 3).Select(seed => BatchPlan.RandomOrder(50, new Random(seed))).ToArray();
            var interleaved = BatchPlan.Interleave(orders);
            for (int member = 0; member < 3; member++)
            {
                var own = Enumerable.Range(0, 50).Select(i => interleaved[i * 3 + member]).ToArray();
                Assert.Equal(orders[member], own);
                Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), own.Order());
            }
            Assert.NotEqual(orders[0], orders[1]);
        }

        [Fact]
        public void ThreeNetworksBelow4096RowsUnlessToldOrContinuingOne()
        {
            Assert.Equal(3, new BnMlpTrainer.Options().EnsembleSizeFor(4095, warmStart: false));
            Assert.Equal(1, new BnMlpTrainer.Options().EnsembleSizeFor(4096, warmStart: false));
            Assert.Equal(1, new BnMlpTrainer.Options().EnsembleSizeFor(100, warmStart: true));
            Assert.Equal(1, new BnMlpTrainer.Options { BatchNormOnInput = true }.EnsembleSizeFor(100, warmStart: false));
            Assert.Equal(5, new BnMlpRegressionTrainer.Options { EnsembleSize = 5 }.EnsembleSizeFor(100_000, warmStart: false));
        }

        private static BnMlpModelParameters RandomModel(Random random, bool batchNorm, int[] hidden, int features, int outputs)
        {
            float[] Values(int count, double scale, double offset = 0) =>
                Enumerable.Range(0, count).Select(_ => (float)(offset + scale * TestData.Normal(random))).ToArray();
            var layers = new System.Collections.Generic.List<BnMlpLayer>();
            int inputs = features;
            foreach (int units in hidden)
            {
                var norm = batchNorm ? new BatchNormParameters(Values(units, 0.2, 1), Values(units, 0.3), Values(units, 0.5), Values(units, 0.1, 1).Select(Math.Abs).ToArray(), 1e-5f) : null;
                layers.Add(new BnMlpLayer(inputs, units, Values(units * inputs, 0.5), batchNorm ? null : Values(units, 0.1), norm, BnMlpActivation.ReLU));
                inputs = units;
            }
            layers.Add(new BnMlpLayer(inputs, outputs, Values(outputs * inputs, 0.5), Values(outputs, 0.1), null, null));
            return new BnMlpModelParameters(layers);
        }
    }
}
