using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    public sealed class PipelineTests
    {
        private sealed class Animal
        {
            [VectorType(4)]
            public float[] Features { get; set; }

            public string Label { get; set; }
        }

        private sealed class AnimalPrediction
        {
            public string PredictedLabel { get; set; }

            public float[] Score { get; set; }
        }

        private static Animal[] Animals(int rows, int seed)
        {
            var random = new System.Random(seed);
            string[] names = ["cat", "dog", "owl"];
            return Enumerable.Range(0, rows).Select(i => new Animal
            {
                Label = names[i % 3],
                Features = Enumerable.Range(0, 4).Select(j => (float)((j == i % 3 ? 3 : 0) + TestData.Normal(random))).ToArray(),
            }).ToArray();
        }

        [Fact]
        public void StringLabelsComeBackThroughMapKeyToValueAndPredictionEngine()
        {
            var ml = new MLContext(seed: 1);
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
                .Append(ml.MulticlassClassification.Trainers.BnMlp(hiddenLayerSizes: [8], numberOfEpochs: 50, learningRate: 0.01f))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
            var model = pipeline.Fit(ml.Data.LoadFromEnumerable(Animals(300, 1)));
            var engine = ml.Model.CreatePredictionEngine<Animal, AnimalPrediction>(model);
            var test = Animals(60, 2);
            int correct = test.Count(a => engine.Predict(a).PredictedLabel == a.Label);
            Assert.True(correct >= 54, $"{correct} of 60");

            var scoreColumn = model.Transform(ml.Data.LoadFromEnumerable(test)).Schema["Score"];
            VBuffer<System.ReadOnlyMemory<char>> slotNames = default;
            scoreColumn.GetSlotNames(ref slotNames);
            Assert.Equal(new[] { "cat", "dog", "owl" }, slotNames.DenseValues().Select(n => n.ToString()));
        }

        [Fact]
        [Trait("Category", "Long")]
        public void TrainTestSplitAndCrossValidateWork()
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromEnumerable(TestData.MnistTrain.Take(2000));
            var split = ml.Data.TrainTestSplit(data, testFraction: 0.25, seed: 1);
            var pipeline = TestData.Pipeline(ml, new BnMlpTrainer.Options { NumberOfEpochs = 5 });
            var metrics = ml.MulticlassClassification.Evaluate(pipeline.Fit(split.TrainSet).Transform(split.TestSet));
            Assert.True(metrics.MicroAccuracy > 0.85, $"split accuracy {metrics.MicroAccuracy:P2}");

            var folds = ml.MulticlassClassification.CrossValidate(data, pipeline, numberOfFolds: 3);
            Assert.Equal(3, folds.Count);
            Assert.All(folds, fold => Assert.True(fold.Metrics.MicroAccuracy > 0.85, $"fold {fold.Fold}: {fold.Metrics.MicroAccuracy:P2}"));
            Assert.All(folds, fold => Assert.IsType<BnMlpMulticlassTransformer>(((TransformerChain<BnMlpMulticlassTransformer>)fold.Model).LastTransformer));
        }

        [Fact]
        public void EstimatorDeclaresTheSchemaItsTransformerProduces()
        {
            var ml = new MLContext(seed: 1);
            var data = TestData.BlobView(ml, 60, 3, seed: 1);
            var pipeline = TestData.Pipeline(ml, new BnMlpTrainer.Options { HiddenLayerSizes = [4], NumberOfEpochs = 1 });
            var declared = pipeline.GetOutputSchema(SchemaShape.Create(data.Schema));
            var actual = pipeline.Fit(data).Transform(data).Schema;
            Assert.True(declared.TryFindColumn("Score", out var score));
            Assert.Equal(SchemaShape.Column.VectorKind.Vector, score.Kind);
            Assert.True(declared.TryFindColumn("PredictedLabel", out var predicted));
            Assert.True(predicted.IsKey);
            Assert.Equal(3, actual["Score"].Type.GetVectorSize());
            Assert.Equal(3UL, actual["PredictedLabel"].Type.GetKeyCount());
        }
    }
}
