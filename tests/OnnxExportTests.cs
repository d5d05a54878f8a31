using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;
using Xunit.Abstractions;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>
    /// ML.NET's own ONNX export (<c>mlContext.Model.ConvertToOnnx</c>) of whole pipelines ending in a BN-MLP, run by ONNX
    /// Runtime directly and through ML.NET's <c>ApplyOnnxModel</c>: the same scores within 1e-5 and the same predicted
    /// labels as the pipeline itself.
    /// </summary>
    [Collection(MnistModelCollection.Name)]
    public sealed class OnnxExportTests
    {
        private const int Rows = 500;
        private const float Tolerance = 1e-5f;

        private readonly MnistModelFixture _fixture;
        private readonly ITestOutputHelper _output;

        public OnnxExportTests(MnistModelFixture fixture, ITestOutputHelper output)
        {
            _fixture = fixture;
            _output = output;
        }

        public enum Normalizer
        {
            MeanVariance,
            MinMax,
        }

        [Fact]
        public void OnnxRuntimeRunsTheConvertedMnistPipeline()
        {
            var ml = _fixture.Context;
            var test = TestData.MnistTest.Take(Rows).ToArray();
            var data = ml.Data.LoadFromEnumerable(test);
            var scored = _fixture.Model.Transform(data);
            var onnx = new MemoryStream();
            ml.Model.ConvertToOnnx(_fixture.Model, data, onnx);

            using var session = new InferenceSession(onnx.ToArray());
            // The graph reads the pipeline's inputs; before the BN-MLP could save itself, Score was one of them.
            Assert.Equal(["Features", "Label"], session.InputMetadata.Keys.Order());
            var features = new DenseTensor<float>(test.SelectMany(r => r.Features).ToArray(), [Rows, 784]);
            var labels = new DenseTensor<uint>(test.Select(r => r.Label).ToArray(), [Rows, 1]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", features), NamedOnnxValue.CreateFromTensor("Label", labels)]);
            var scores = results.Single(r => r.Name == "Score.output").AsTensor<float>();
            var predicted = results.Single(r => r.Name == "PredictedLabel.output").AsTensor<uint>();
            Assert.Equal([Rows, 10], scores.Dimensions.ToArray());
            Assert.Equal([Rows, 1], predicted.Dimensions.ToArray());

            var expectedScores = Column<float>(scored, "Score");
            var expectedLabels = Column<uint>(scored, "PredictedLabel");
            float max = 0;
            for (int i = 0; i < Rows; i++)
            {
                for (int k = 0; k < 10; k++)
                    max = Math.Max(max, Math.Abs(expectedScores[i][k] - scores[i, k]));
                Assert.Equal(expectedLabels[i][0], predicted[i, 0]);
            }
            _output.WriteLine($"MNIST (MapValueToKey + BnMlp 256-128), ONNX Runtime: max |score difference| {max:G3} over {Rows} rows");
            Assert.InRange(max, 0, Tolerance);
        }

        [Fact]
        public void ApplyOnnxModelScoresTheConvertedMnistPipeline()
        {
            var ml = _fixture.Context;
            var data = ml.Data.LoadFromEnumerable(TestData.MnistTest.Take(Rows));
            float max = 0;
            WithOnnx(ml, _fixture.Model, data, viaOnnx => max = AssertSameScores(_fixture.Model.Transform(data), viaOnnx));
            _output.WriteLine($"MNIST (MapValueToKey + BnMlp 256-128), ApplyOnnxModel: max |score difference| {max:G3} over {Rows} rows");
        }

        [Theory]
        [InlineData(Normalizer.MeanVariance, BnMlpActivation.ReLU, false)]
        [InlineData(Normalizer.MinMax, BnMlpActivation.Tanh, true)]
        [InlineData(Normalizer.MeanVariance, BnMlpActivation.Sigmoid, true)]
        public void ClassifierPipelineExportsWithItsPreprocessing(Normalizer normalizer, BnMlpActivation activation, bool batchNormOnInput)
        {
            var ml = new MLContext(seed: 3);
            var data = ml.Data.LoadFromEnumerable(Tabular(600, seed: 3));
            var options = new BnMlpTrainer.Options
            {
                HiddenLayerSizes = [16, 8],
                Activation = activation,
                BatchNormOnInput = batchNormOnInput,
                NumberOfEpochs = 20,
                LearningRate = 0.01f,
            };
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Categorical.OneHotEncoding("ColorVector", "Color"))
                .Append(Normalize(ml, normalizer))
                .Append(ml.Transforms.Concatenate("Features", "ColorVector", "Numeric"))
                .Append(ml.MulticlassClassification.Trainers.BnMlp(options))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            var model = pipeline.Fit(data);
            var scored = model.Transform(data);
            // The classifier learned something, so the labels compared below are not all one class.
            Assert.True(ml.MulticlassClassification.Evaluate(scored).MicroAccuracy > 0.7);

            float max = 0;
            string[] onnxLabels = null;
            WithOnnx(ml, model, data, viaOnnx =>
            {
                max = AssertSameScores(scored, viaOnnx);
                onnxLabels = Column<ReadOnlyMemory<char>>(viaOnnx, "PredictedLabel").Select(l => l.Single().ToString()).ToArray();
            });
            var expectedLabels = Column<ReadOnlyMemory<char>>(scored, "PredictedLabel").Select(l => l.Single().ToString()).ToArray();
            Assert.Equal(600, onnxLabels.Length);
            Assert.Equal(expectedLabels, onnxLabels);
            _output.WriteLine($"MapValueToKey + OneHot + Normalize{normalizer} + Concatenate + BnMlp ({activation}, input BN {batchNormOnInput}) + MapKeyToValue: " +
                $"max |score difference| {max:G3} over 600 rows");
        }

        [Theory]
        [InlineData(Normalizer.MinMax, false)]
        [InlineData(Normalizer.MeanVariance, true)]
        public void RegressorPipelineExportsWithItsPreprocessing(Normalizer normalizer, bool batchNormOnInput)
        {
            var ml = new MLContext(seed: 4);
            var data = ml.Data.LoadFromEnumerable(Tabular(600, seed: 4));
            var options = new BnMlpRegressionTrainer.Options
            {
                LabelColumnName = nameof(TabularRow.Target),
                HiddenLayerSizes = [12, 6],
                BatchNormOnInput = batchNormOnInput,
                NumberOfEpochs = 20,
            };
            var pipeline = ml.Transforms.Categorical.OneHotEncoding("ColorVector", "Color")
                .Append(Normalize(ml, normalizer))
                .Append(ml.Transforms.Concatenate("Features", "ColorVector", "Numeric"))
                .Append(ml.Regression.Trainers.BnMlp(options));
            var model = pipeline.Fit(data);
            var scored = model.Transform(data);

            float[][] actual = null;
            WithOnnx(ml, model, data, viaOnnx => actual = Column<float>(viaOnnx, "Score"));
            var expected = Column<float>(scored, "Score");
            Assert.Equal(expected.Length, actual.Length);
            float max = 0;
            for (int i = 0; i < expected.Length; i++)
                max = Math.Max(max, Math.Abs(expected[i].Single() - actual[i].Single()));
            _output.WriteLine($"OneHot + Normalize{normalizer} + Concatenate + BnMlp regression (input BN {batchNormOnInput}): max |score difference| {max:G3} over 600 rows");
            Assert.InRange(max, 0, Tolerance);
        }

        [Fact]
        public void SmoothClippedInputScalingExportsBeforeTheFirstGemm()
        {
            // Raw features on different scales, with outliers that the smooth clip bends towards ±3 after scaling.
            var ml = new MLContext(seed: 7);
            var rows = Tabular(600, seed: 7);
            for (int i = 0; i < rows.Length; i += 25)
                rows[i].Numeric[1] = 1e6f;
            var data = ml.Data.LoadFromEnumerable(rows);
            var model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Categorical.OneHotEncoding("ColorVector", "Color"))
                .Append(ml.Transforms.Concatenate("Features", "ColorVector", "Numeric"))
                .Append(ml.MulticlassClassification.Trainers.BnMlp(new BnMlpTrainer.Options
                {
                    HiddenLayerSizes = [12, 6], NumberOfEpochs = 10, InputScaling = BnMlpInputScaling.StandardSmoothClip,
                }))
                .Fit(data);
            Assert.True(model.LastTransformer.Model.InputScaling.SmoothClip);
            var scored = model.Transform(data);
            float max = 0;
            WithOnnx(ml, model, data, viaOnnx => max = AssertSameScores(scored, viaOnnx));
            _output.WriteLine($"MapValueToKey + OneHot + Concatenate + BnMlp (StandardSmoothClip, outliers 1e6): max |score difference| {max:G3} over 600 rows");
        }

        [Fact]
        public void PiecewiseLinearEncodingExportsBeforeTheScaling()
        {
            var ml = new MLContext(seed: 8);
            var data = ml.Data.LoadFromEnumerable(Tabular(600, seed: 8));
            var model = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.Transforms.Categorical.OneHotEncoding("ColorVector", "Color"))
                .Append(ml.Transforms.Concatenate("Features", "ColorVector", "Numeric"))
                .Append(ml.MulticlassClassification.Trainers.BnMlp(new BnMlpTrainer.Options { HiddenLayerSizes = [12, 6], NumberOfEpochs = 10, PiecewiseLinearBins = 16 }))
                .Fit(data);
            var encoding = model.LastTransformer.Model.InputEncoding;
            // The one-hot colours pass through; the three numeric features get 16 bins each.
            Assert.Equal(4 + 3 * 16, encoding.EncodedCount);
            var scored = model.Transform(data);
            float max = 0;
            WithOnnx(ml, model, data, viaOnnx => max = AssertSameScores(scored, viaOnnx));
            _output.WriteLine($"MapValueToKey + OneHot + Concatenate + BnMlp (16 bins, StandardSmoothClip): max |score difference| {max:G3} over 600 rows");
        }

        [Fact]
        public void BinaryClassifierPipelineExportsScoreProbabilityAndPredictedLabel()
        {
            var ml = new MLContext(seed: 6);
            var data = ml.Data.LoadFromEnumerable(Tabular(600, seed: 6)
                .Select(row => new BinaryRow { IsHigh = row.Label == "high", Color = row.Color, Numeric = row.Numeric }));
            var pipeline = ml.Transforms.Categorical.OneHotEncoding("ColorVector", "Color")
                .Append(ml.Transforms.NormalizeMeanVariance("Numeric"))
                .Append(ml.Transforms.Concatenate("Features", "ColorVector", "Numeric"))
                .Append(ml.BinaryClassification.Trainers.BnMlp(new BnMlpBinaryTrainer.Options
                {
                    LabelColumnName = "IsHigh",
                    HiddenLayerSizes = [12, 6],
                    NumberOfEpochs = 10,
                }));
            var model = pipeline.Fit(data);
            var scored = model.Transform(data);

            float[][] score = null, probability = null;
            bool[][] predicted = null;
            WithOnnx(ml, model, data, viaOnnx =>
            {
                score = Column<float>(viaOnnx, "Score");
                probability = Column<float>(viaOnnx, "Probability");
                predicted = Column<bool>(viaOnnx, "PredictedLabel");
            });
            var expectedScore = Column<float>(scored, "Score");
            var expectedProbability = Column<float>(scored, "Probability");
            var expectedPredicted = Column<bool>(scored, "PredictedLabel");
            Assert.Equal(expectedScore.Length, score.Length);
            float max = 0;
            for (int i = 0; i < expectedScore.Length; i++)
            {
                max = Math.Max(max, Math.Abs(expectedScore[i].Single() - score[i].Single()));
                max = Math.Max(max, Math.Abs(expectedProbability[i].Single() - probability[i].Single()));
            }
            _output.WriteLine($"OneHot + NormalizeMeanVariance + Concatenate + binary BnMlp: max |Score or Probability difference| {max:G3} over 600 rows");
            Assert.InRange(max, 0, Tolerance);
            // Scores within 1e-5 of 0 could flip; none is that close here, so the labels must agree exactly.
            Assert.Equal(expectedPredicted.Select(p => p.Single()), predicted.Select(p => p.Single()));
            Assert.Contains(expectedPredicted, p => p.Single());
            Assert.Contains(expectedPredicted, p => !p.Single());
        }

        [Fact]
        public void ExportNamesTheFeatureColumnWhenItsStepCannotBeExported()
        {
            var ml = new MLContext(seed: 5);
            var data = ml.Data.LoadFromEnumerable(Tabular(100, seed: 5));
            // CustomMapping has no ONNX form: ML.NET's export stops walking the pipeline there, so no node makes the features.
            var model = ml.Transforms.CustomMapping<TabularRow, FeaturesRow>((row, features) => features.Features = row.Numeric, contractName: null)
                .Append(ml.Transforms.Conversion.MapValueToKey("Label"))
                .Append(ml.MulticlassClassification.Trainers.BnMlp(new BnMlpTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 1 }))
                .Fit(data);
            var error = Assert.ThrowsAny<Exception>(() => ml.Model.ConvertToOnnx(model, data, new MemoryStream()));
            Assert.Contains("'Features'", error.Message);
            Assert.Contains("cannot be exported to ONNX", error.Message);
        }

        private static IEstimator<ITransformer> Normalize(MLContext ml, Normalizer normalizer) => normalizer == Normalizer.MinMax
            ? ml.Transforms.NormalizeMinMax("Numeric")
            : ml.Transforms.NormalizeMeanVariance("Numeric");

        /// <summary>ConvertToOnnx, then ApplyOnnxModel on the same data; the ONNX outputs (<c>Score.output</c> ...) come back
        /// under the pipeline's column names. <paramref name="check"/> reads them while the ONNX session is open.</summary>
        private static void WithOnnx(MLContext ml, ITransformer model, IDataView data, Action<IDataView> check)
        {
            string path = Path.Combine(Directory.CreateTempSubdirectory("bnmlp-onnx").FullName, "model.onnx");
            using (var file = File.Create(path))
                ml.Model.ConvertToOnnx(model, data, file);
            using var onnx = ml.Transforms.ApplyOnnxModel(path).Fit(data);
            check(onnx.Transform(data));
        }

        private static float AssertSameScores(IDataView expected, IDataView viaOnnx)
        {
            var want = Column<float>(expected, "Score");
            var got = Column<float>(viaOnnx, "Score");
            Assert.Equal(want.Length, got.Length);
            float max = 0;
            for (int i = 0; i < want.Length; i++)
            {
                Assert.Equal(want[i].Length, got[i].Length);
                for (int k = 0; k < want[i].Length; k++)
                    max = Math.Max(max, Math.Abs(want[i][k] - got[i][k]));
            }
            Assert.InRange(max, 0, Tolerance);
            return max;
        }

        /// <summary>A column's values row by row; a scalar column gives one value per row.</summary>
        private static T[][] Column<T>(IDataView view, string name)
        {
            var column = view.Schema[name];
            var rows = new List<T[]>();
            using var cursor = view.GetRowCursor([column]);
            if (column.Type is VectorDataViewType)
            {
                var getter = cursor.GetGetter<VBuffer<T>>(column);
                VBuffer<T> value = default;
                while (cursor.MoveNext())
                {
                    getter(ref value);
                    rows.Add(value.DenseValues().ToArray());
                }
            }
            else
            {
                var getter = cursor.GetGetter<T>(column);
                T value = default;
                while (cursor.MoveNext())
                {
                    getter(ref value);
                    rows.Add([value]);
                }
            }
            return rows.ToArray();
        }

        /// <summary>Three classes told apart by a colour (right 60 % of the time) and three numeric features on different
        /// scales; <see cref="TabularRow.Target"/> is a regression target from the same columns.</summary>
        internal static TabularRow[] Tabular(int count, int seed)
        {
            string[] labels = ["low", "mid", "high"];
            string[] colors = ["red", "green", "blue", "grey"];
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(i =>
            {
                int k = i % 3;
                string color = random.NextDouble() < 0.6 ? colors[k] : colors[random.Next(colors.Length)];
                float[] numeric =
                [
                    k + (float)TestData.Normal(random),
                    10 * (2 - k) + 5 * (float)TestData.Normal(random),
                    500 + 100 * (float)TestData.Normal(random),
                ];
                float target = 2 * numeric[0] - 0.1f * numeric[1] + (color == "red" ? 3 : 0) + 0.1f * (float)TestData.Normal(random);
                return new TabularRow { Label = labels[k], Color = color, Numeric = numeric, Target = target };
            }).ToArray();
        }

        internal sealed class TabularRow
        {
            public string Label { get; set; }

            public string Color { get; set; }

            [VectorType(3)]
            public float[] Numeric { get; set; }

            public float Target { get; set; }
        }

        private sealed class BinaryRow
        {
            public bool IsHigh { get; set; }

            public string Color { get; set; }

            [VectorType(3)]
            public float[] Numeric { get; set; }
        }

        private sealed class FeaturesRow
        {
            [VectorType(3)]
            public float[] Features { get; set; }
        }
    }
}
