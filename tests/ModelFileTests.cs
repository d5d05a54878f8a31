using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNet.BatchNorm.TestSupport;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>Reading the BN-MLP out of a pipeline's zip without ML.NET, and scoring without a PredictionEngine.</summary>
    [Collection(MnistModelCollection.Name)]
    public sealed class ModelFileTests
    {
        private readonly MnistModelFixture _fixture;

        public ModelFileTests(MnistModelFixture fixture) => _fixture = fixture;

        [Fact]
        public void TheClassifierReadFromAPipelineZipScoresAsTheLoadedPipeline()
        {
            var ml = _fixture.Context;
            string path = Path.Combine(Directory.CreateTempSubdirectory("bnmlp-file").FullName, "model.zip");
            ml.Model.Save(_fixture.Model, _fixture.Train.Schema, path);
            var predictor = BnMlpPredictor.Load(path);
            var expected = TestData.Scores(ml.Model.Load(path, out _).Transform(_fixture.Test));
            var scores = new float[predictor.OutputCount];
            for (int i = 0; i < 500; i++)
            {
                predictor.Predict(TestData.MnistTest[i].Features, scores);
                Assert.Equal(expected[i], scores);
            }
            File.Delete(path);
        }

        [Fact]
        public void ARegressorIsReadAndScoredToo()
        {
            var ml = new MLContext(seed: 3);
            var rows = RegressionTests.LinearRows(200, seed: 3);
            var data = RegressionTests.View(ml, rows);
            var model = ml.Regression.Trainers.BnMlp(new BnMlpRegressionTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 3, BatchNormOnInput = true }).Fit(data);
            string path = Path.Combine(Directory.CreateTempSubdirectory("bnmlp-file").FullName, "regressor.zip");
            ml.Model.Save(model, data.Schema, path);
            var predictor = BnMlpPredictor.Load(path);
            Assert.Equal(1, predictor.OutputCount);
            var expected = RegressionTests.ScoresOf(model.Transform(data));
            var score = new float[1];
            for (int i = 0; i < rows.Length; i++)
            {
                predictor.Predict(rows[i].Features, score);
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(score[0]));
            }
            File.Delete(path);
        }

        [Fact]
        public void AZipWithoutABnMlpAndAWrongFeatureLengthAreRefused()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(TestData.MnistTrain.Take(100));
            string path = Path.Combine(Directory.CreateTempSubdirectory("bnmlp-file").FullName, "other.zip");
            ml.Model.Save(ml.Transforms.Conversion.MapValueToKey("Label").Fit(data), data.Schema, path);
            var error = Assert.Throws<InvalidDataException>(() => BnMlpPredictor.Load(path));
            Assert.Contains($"'{path}' holds no BN-MLP model", error.Message);

            var predictor = new BnMlpPredictor(_fixture.Transformer);
            var wrong = Assert.Throws<ArgumentException>(() => predictor.Predict(new float[10], new float[10]));
            Assert.Contains("Expected 784 features, found 10", wrong.Message);
            File.Delete(path);
        }
    }
}
