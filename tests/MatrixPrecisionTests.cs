using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using MLNet.BatchNorm.TestSupport;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace MLNet.BatchNorm.Tests
{
    public sealed class MatrixPrecisionTests
    {
        /// <summary>A bfloat16 product is that of its operands rounded to bfloat16, summed at higher precision and rounded
        /// to bfloat16 once (within one unit of bfloat16's last place, 2^-8 relative, for the order of the sums); its
        /// gradients are those of the rounded operands, returned in float32.</summary>
        [Fact]
        public void ProductsAreThoseOfBFloat16Operands()
        {
            using var scope = NewDisposeScope();
            var generator = new Generator(7);
            var input = randn([32, 40], generator: generator).requires_grad_(true);
            var weight = randn([24, 40], generator: generator).requires_grad_(true);
            var outputGradient = randn([32, 24], generator: generator);

            var product = BFloat16Products.Multiply(input, weight, (x, w) => nn.functional.linear(x, w));
            product.backward([outputGradient]);

            Tensor Rounded(Tensor t) => t.detach().to(ScalarType.BFloat16).to(ScalarType.Float64);
            var expected = Rounded(input).matmul(Rounded(weight).t());
            var expectedWeightGradient = Rounded(outputGradient).t().matmul(Rounded(input));
            var expectedInputGradient = Rounded(outputGradient).matmul(Rounded(weight));
            Assert.Equal(ScalarType.Float32, product.dtype);
            Assert.Equal(ScalarType.Float32, weight.grad.dtype);
            AssertWithinBFloat16Rounding(expected, product);
            AssertWithinBFloat16Rounding(expectedWeightGradient, weight.grad);
            AssertWithinBFloat16Rounding(expectedInputGradient, input.grad);
            // Not float32's product: the operands were rounded.
            var float32Product = input.detach().matmul(weight.detach().t());
            Assert.True((product - float32Product).abs().max().item<float>() > 1e-3f);
        }

        /// <summary>Training mode multiplies in bfloat16 where the processor does it natively, close to float32's outputs;
        /// evaluation mode (validation, population statistics) gives float32's outputs bit for bit. Products below
        /// <see cref="BFloat16Products.MinimumMultiplyAdds"/> (here: a network of 16 units) stay float32 in training too.</summary>
        [Theory]
        [InlineData(1, 256, true)]
        [InlineData(3, 256, true)]
        [InlineData(1, 16, false)]
        [InlineData(3, 16, false)]
        public void OnlyTrainingMultipliesInBFloat16(int members, int units, bool largeProducts)
        {
            using var scope = NewDisposeScope();
            const int features = 128, rowsPerMember = 256;
            Assert.Equal(largeProducts, BFloat16Products.Pays((long)rowsPerMember * features * units));
            BnMlpNetwork Network(BnMlpMatrixPrecision precision) => new(features, 4,
                new BnMlpTrainer.Options { HiddenLayerSizes = [units, units / 2], DropoutRate = 0, MatrixPrecision = precision }, new Random(3), members);
            using var float32 = Network(BnMlpMatrixPrecision.Float32);
            using var bfloat16 = Network(BnMlpMatrixPrecision.BFloat16);
            var rows = randn([rowsPerMember * members, features], generator: new Generator(9));
            // Evaluated first: a training-mode pass moves the running statistics by its batch's, which differ.
            float32.eval();
            bfloat16.eval();
            Assert.Equal(float32.forward(rows).data<float>().ToArray(), bfloat16.forward(rows).data<float>().ToArray());

            float32.train();
            bfloat16.train();
            var trained32 = float32.MemberOutputs(rows);
            var trained16 = bfloat16.MemberOutputs(rows);
            double difference = (trained16 - trained32).norm().item<float>() / trained32.norm().item<float>();
            if (BFloat16Products.AreNative && largeProducts)
                Assert.InRange(difference, 1e-5, 0.05);
            else
                Assert.Equal(0, difference);
        }

        /// <summary>A Fit with bfloat16 products learns as one with float32 products does: epoch by epoch training losses
        /// within 10 % (or 0.02), and the same training accuracy; the model differs where the processor multiplies
        /// bfloat16 natively and is the float32 model bit for bit elsewhere, and a second Fit with the same seed gives the
        /// same model. Batches of 256 rows of 100 features into 256 units: products of 6.6 and 8.4 million multiply-adds
        /// per member.</summary>
        [Theory]
        [InlineData(1)]
        [InlineData(3)]
        public void FitLearnsAsWithFloat32Products(int members)
        {
            (List<double> Losses, float[][] Scores) Fit(BnMlpMatrixPrecision precision)
            {
                var ml = new MLContext(seed: 2);
                var data = TestData.BlobView(ml, rows: 1024, classes: 3, seed: 8, features: 100);
                var epochs = new EpochRecorder();
                var options = new BnMlpTrainer.Options
                {
                    HiddenLayerSizes = [256, 128], BatchSize = 256, NumberOfEpochs = 6, EnsembleSize = members, MatrixPrecision = precision,
                    NumberOfThreads = 1, Progress = epochs,
                };
                var scores = TestData.Scores(TestData.Pipeline(ml, options).Fit(data).Transform(data));
                return (epochs.Epochs.Select(epoch => epoch.TrainingLoss).ToList(), scores);
            }

            var (losses32, scores32) = Fit(BnMlpMatrixPrecision.Float32);
            var (losses16, scores16) = Fit(BnMlpMatrixPrecision.BFloat16);
            Assert.Equal(scores16, Fit(BnMlpMatrixPrecision.BFloat16).Scores);
            Assert.Equal(6, losses16.Count);
            for (int epoch = 0; epoch < losses32.Count; epoch++)
                Assert.InRange(Math.Abs(losses16[epoch] - losses32[epoch]), 0, Math.Max(0.02, 0.1 * losses32[epoch]));
            Assert.True(losses16[^1] < losses16[0] / 2, $"training loss {losses16[0]} -> {losses16[^1]}");
            var labels = TestData.Blobs(1024, 3, seed: 8, features: 100).Select(row => row.Label).ToArray();
            double Accuracy(float[][] scores) => scores.Select((s, i) => Array.IndexOf(s, s.Max()) == labels[i] ? 1.0 : 0).Average();
            Assert.Equal(Accuracy(scores32), Accuracy(scores16), 2);
            if (BFloat16Products.AreNative)
                Assert.NotEqual(scores32, scores16);
            else
                Assert.Equal(scores32, scores16);
        }

        /// <summary>The binary trainer and the regressor (one output unit each) train with bfloat16 products to the AUC and
        /// R² of float32 products within 0.01 (their second layers' products: 256 × 512 × 256 multiply-adds).</summary>
        [Fact]
        public void BinaryAndRegressionTrainersLearnWithBFloat16Products()
        {
            // Each fit from a fresh context of the same seed, so that both precisions start from the same weights and
            // row orders (across seeds the AUC varies by 0.01; the two precisions differed by at most 0.005 per seed).
            var ml = new MLContext(seed: 1);
            var binaryTrain = ml.Data.LoadFromEnumerable(ToyBinary.Generate(1000, seed: 1));
            var binaryTest = ml.Data.LoadFromEnumerable(ToyBinary.Generate(500, seed: 2));
            double Auc(BnMlpMatrixPrecision precision) => ml.BinaryClassification.Evaluate(new MLContext(seed: 1).BinaryClassification.Trainers.BnMlp(
                new BnMlpBinaryTrainer.Options { HiddenLayerSizes = [512, 256], BatchSize = 256, NumberOfEpochs = 20, EnsembleSize = 1, MatrixPrecision = precision }).Fit(binaryTrain).Transform(binaryTest)).AreaUnderRocCurve;
            var curveTrain = ml.Data.LoadFromEnumerable(ToyCurve.Generate(500, noise: 2, seed: 1));
            var curveTest = ml.Data.LoadFromEnumerable(ToyCurve.Generate(200, noise: 2, seed: 2));
            double RSquared(BnMlpMatrixPrecision precision) => ml.Regression.Evaluate(new MLContext(seed: 1).Regression.Trainers.BnMlp(
                new BnMlpRegressionTrainer.Options { HiddenLayerSizes = [512, 256], BatchSize = 256, NumberOfEpochs = 100, EnsembleSize = 1, MatrixPrecision = precision }).Fit(curveTrain).Transform(curveTest)).RSquared;

            double auc = Auc(BnMlpMatrixPrecision.BFloat16), rSquared = RSquared(BnMlpMatrixPrecision.BFloat16);
            Assert.True(auc > 0.8, $"AUC {auc:F4}");
            Assert.True(rSquared > 0.95, $"R² {rSquared:F4}");
            Assert.Equal(Auc(BnMlpMatrixPrecision.Float32), auc, 0.01);
            Assert.Equal(RSquared(BnMlpMatrixPrecision.Float32), rSquared, 0.01);
        }

        private static void AssertWithinBFloat16Rounding(Tensor expected, Tensor actual)
        {
            var error = (actual.detach().to(ScalarType.Float64) - expected).abs();
            var allowed = expected.abs() * Math.Pow(2, -8) + 1e-6;
            Assert.True((error <= allowed).all().item<bool>(), $"largest error {error.max().item<double>()}");
        }
    }
}
