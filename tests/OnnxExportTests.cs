using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    [Collection(MnistModelCollection.Name)]
    public sealed class OnnxExportTests
    {
        private const int Rows = 500;

        private readonly MnistModelFixture _fixture;

        public OnnxExportTests(MnistModelFixture fixture) => _fixture = fixture;

        [Fact]
        public void OnnxRuntimeGivesTheTransformersScores()
        {
            var test = TestData.MnistTest.Take(Rows).ToArray();
            var expected = TestData.Scores(_fixture.Exportable.Transform(_fixture.Context.Data.LoadFromEnumerable(test)));
            var onnx = new MemoryStream();
            BnMlpOnnxExport.Export(_fixture.Exportable.LastTransformer.Model, onnx);

            using var session = new InferenceSession(onnx.ToArray());
            var input = new DenseTensor<float>(test.SelectMany(r => r.Features).ToArray(), [Rows, 784]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", input)]);
            var scores = results.Single(r => r.Name == "Score").AsTensor<float>();
            Assert.Equal([Rows, 10], scores.Dimensions.ToArray());
            for (int i = 0; i < Rows; i++)
            {
                for (int k = 0; k < 10; k++)
                    Assert.Equal(expected[i][k], scores[i, k], 1e-5f);
            }
        }

        [Fact]
        public void MLNetsApplyOnnxModelScoresTheExportedModel()
        {
            var ml = _fixture.Context;
            string path = Path.Combine(Directory.CreateTempSubdirectory("bnmlp-onnx").FullName, "model.onnx");
            BnMlpOnnxExport.Export(_fixture.Exportable.LastTransformer.Model, path);
            var test = ml.Data.LoadFromEnumerable(TestData.MnistTest.Take(Rows));
            var onnx = ml.Transforms.ApplyOnnxModel(outputColumnName: "Score", inputColumnName: "Features", modelFile: path).Fit(test);
            var viaOnnx = TestData.Scores(onnx.Transform(test));
            var viaTransformer = TestData.Scores(_fixture.Exportable.Transform(test));
            Assert.Equal(Rows, viaOnnx.Length);
            for (int i = 0; i < Rows; i++)
            {
                for (int k = 0; k < 10; k++)
                    Assert.Equal(viaTransformer[i][k], viaOnnx[i][k], 1e-5f);
            }
        }

        [Fact]
        public void RegressorWithInputBatchNormExportsItsScores()
        {
            var ml = new MLContext(seed: 2);
            var rows = RegressionTests.LinearRows(300, seed: 2);
            var data = RegressionTests.View(ml, rows);
            var options = new BnMlpRegressionTrainer.Options
            {
                HiddenLayerSizes = [12, 6], BatchNormOnInput = true, NumberOfEpochs = 5, InputScaling = BnMlpInputScaling.Standard,
            };
            var model = ml.Regression.Trainers.BnMlp(options).Fit(data);
            var expected = RegressionTests.ScoresOf(model.Transform(data));
            var onnx = new MemoryStream();
            BnMlpOnnxExport.Export(model.Model, onnx);

            using var session = new InferenceSession(onnx.ToArray());
            var input = new DenseTensor<float>(rows.SelectMany(r => r.Features).ToArray(), [rows.Length, 5]);
            using var results = session.Run([NamedOnnxValue.CreateFromTensor("Features", input)]);
            var scores = results.Single(r => r.Name == "Score").AsTensor<float>();
            Assert.Equal([rows.Length, 1], scores.Dimensions.ToArray());
            for (int i = 0; i < rows.Length; i++)
                Assert.Equal(expected[i], scores[i, 0], Math.Max(1e-5f, Math.Abs(expected[i]) * 1e-6f));

            string path = Path.Combine(Directory.CreateTempSubdirectory("bnmlp-onnx-regression").FullName, "model.onnx");
            File.WriteAllBytes(path, onnx.ToArray());
            var applied = ml.Transforms.ApplyOnnxModel(outputColumnName: "Score", inputColumnName: "Features", modelFile: path).Fit(data).Transform(data);
            var viaOnnx = TestData.Scores(applied);
            for (int i = 0; i < rows.Length; i++)
                Assert.Equal(expected[i], Assert.Single(viaOnnx[i]), Math.Max(1e-5f, Math.Abs(expected[i]) * 1e-6f));
        }
    }
}
