using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.BatchNorm.TestSupport;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>Data the tests train on: the embedded mnist10k digits and small synthetic sets.</summary>
    internal static class TestData
    {
        private static readonly Lazy<(Digit[] Train, Digit[] Test)> Mnist = new(Digits.LoadMnist10k);

        public static Digit[] MnistTrain => Mnist.Value.Train;

        public static Digit[] MnistTest => Mnist.Value.Test;

        /// <summary>Gaussian blobs: class c is centred at a random point; rows are drawn around it with std 1.</summary>
        public static Digit[] Blobs(int rows, int classes, int seed, int features = 8)
        {
            var random = new Random(seed);
            var centres = Enumerable.Range(0, classes).Select(_ => Enumerable.Range(0, features).Select(_ => (float)(random.NextDouble() * 6 - 3)).ToArray()).ToArray();
            return Enumerable.Range(0, rows).Select(i =>
            {
                int c = i % classes;
                return new Digit { Label = (uint)c, Features = centres[c].Select(v => v + (float)Normal(random)).ToArray() };
            }).ToArray();
        }

        /// <summary>Blobs with a variable-size feature column of the given width (for small networks).</summary>
        public static IDataView BlobView(MLContext ml, int rows, int classes, int seed, int features = 8) =>
            ml.Data.LoadFromEnumerable(Blobs(rows, classes, seed, features), SchemaWithFeatureSize(ml, features));

        public static SchemaDefinition SchemaWithFeatureSize(MLContext ml, int features)
        {
            var definition = SchemaDefinition.Create(typeof(Digit));
            definition[nameof(Digit.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, features);
            return definition;
        }

        /// <summary>MapValueToKey on the label (sorted key order), then the trainer.</summary>
        public static EstimatorChain<BnMlpMulticlassTransformer> Pipeline(MLContext ml, BnMlpTrainer.Options options) =>
            ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Append(ml.MulticlassClassification.Trainers.BnMlp(options));

        public static double Normal(Random random) =>
            Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());

        /// <summary>The Score column, row by row.</summary>
        public static float[][] Scores(IDataView scored) => ScoreColumn.Rows(scored).ToArray();

        /// <summary>Saves a classifier pipeline over <paramref name="rows"/> to a new zip and checks that the loaded model
        /// scores them as <paramref name="model"/> does, bit for bit, through <c>Transform</c>, a <c>PredictionEngine</c>
        /// (single rows) and <see cref="BnMlpPredictor.Load(string)"/>; returns the loaded classifier.</summary>
        public static BnMlpMulticlassTransformer AssertZipScoresBitIdentically(MLContext ml, ITransformer model, Digit[] rows)
        {
            int features = rows[0].Features.Length;
            var data = ml.Data.LoadFromEnumerable(rows, SchemaWithFeatureSize(ml, features));
            string path = System.IO.Path.Combine(System.IO.Directory.CreateTempSubdirectory("bnmlp-zip").FullName, "model.zip");
            ml.Model.Save(model, data.Schema, path);
            var loaded = (TransformerChain<ITransformer>)ml.Model.Load(path, out _);
            var expected = Scores(model.Transform(data));
            Xunit.Assert.Equal(expected, Scores(loaded.Transform(data)));
            var engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(loaded, inputSchemaDefinition: SchemaWithFeatureSize(ml, features));
            var predictor = BnMlpPredictor.Load(path);
            var scores = new float[predictor.OutputCount];
            for (int i = 0; i < rows.Length; i++)
            {
                Xunit.Assert.Equal(expected[i], engine.Predict(rows[i]).Score);
                predictor.Predict(rows[i].Features, scores);
                Xunit.Assert.Equal(expected[i], scores);
            }
            return Xunit.Assert.IsType<BnMlpMulticlassTransformer>(loaded.Last());
        }
    }
}
