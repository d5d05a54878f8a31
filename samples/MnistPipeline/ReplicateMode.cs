using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.BatchNorm;
using MLNet.BatchNorm.TestSupport;

namespace MnistPipeline
{
    /// <summary>
    /// --replicate: the BN tutorial's 15-row table (3 x 100 network, SGD, batch 60, epsilon 1e-3, moving averages with
    /// decay 0.99, the same initial weights with and without BN), and the single-row trap.
    /// </summary>
    public static class ReplicateMode
    {
        private sealed record Row(string Init, float Std, float LearningRate, BnMlpActivation Activation, bool Long, double SeedWithout, double SeedWith);

        // The published table (full MNIST; "long" = 50,000 batches = 50 epochs, "short" = 2,000 batches = 2 epochs).
        private static readonly Row[] Rows =
        [
            new("reasonable", 0.05f, 0.01f, BnMlpActivation.ReLU, true, 0.9705, 0.9776),
            new("reasonable", 0.05f, 0.01f, BnMlpActivation.ReLU, false, 0.8279, 0.9516),
            new("reasonable", 0.05f, 0.01f, BnMlpActivation.Sigmoid, true, 0.8271, 0.9732),
            new("reasonable", 0.05f, 1f, BnMlpActivation.ReLU, true, 0.0980, 0.9834),
            new("reasonable", 0.05f, 1f, BnMlpActivation.Sigmoid, true, 0.9752, 0.9812),
            new("reasonable", 0.05f, 1f, BnMlpActivation.Sigmoid, false, 0.9227, 0.9463),
            new("reasonable", 0.05f, 2f, BnMlpActivation.ReLU, true, 0.1010, 0.9827),
            new("reasonable", 0.05f, 2f, BnMlpActivation.Sigmoid, true, 0.9782, 0.9782),
            new("reasonable", 0.05f, 2f, BnMlpActivation.Sigmoid, false, 0.9360, 0.9524),
            new("bad", 5f, 0.01f, BnMlpActivation.ReLU, true, 0.0980, 0.7990),
            new("bad", 5f, 0.01f, BnMlpActivation.Sigmoid, true, 0.2270, 0.8527),
            new("bad", 5f, 1f, BnMlpActivation.ReLU, true, 0.1135, 0.9208),
            new("bad", 5f, 1f, BnMlpActivation.Sigmoid, true, 0.8957, 0.9505),
            new("bad", 5f, 2f, BnMlpActivation.ReLU, true, 0.0980, 0.9054),
            new("bad", 5f, 2f, BnMlpActivation.Sigmoid, true, 0.9066, 0.9583),
        ];

        public static int Run(Arguments arguments)
        {
            var (trainRows, testRows) = arguments.LoadData();
            // Training length is scaled by epochs: the tutorial's 50,000 and 2,000 batches of 60 are 50 and 2 epochs of
            // full MNIST. Fashion-MNIST (60,000 rows) defaults to 10 long epochs to keep the run under an hour.
            int longEpochs = arguments.Epochs ?? (arguments.Data == "fashion" ? 10 : 50);
            const int shortEpochs = 2;
            int batchesPerEpoch = (int)Math.Ceiling(trainRows.Length / 60.0);
            Console.WriteLine($"Data: {arguments.Data}, {trainRows.Length} training rows; long = {longEpochs} epochs " +
                $"({longEpochs * batchesPerEpoch:N0} batches), short = {shortEpochs} epochs ({shortEpochs * batchesPerEpoch:N0} batches); seed {arguments.Seed}.");
            var table = new StringBuilder();
            table.AppendLine($"| init | learning rate | activation | batches | without BN | with BN | seed (full MNIST): without | with |");
            table.AppendLine("|---|---|---|---|---|---|---|---|");
            ITransformer trapModel = null;
            foreach (var row in Rows)
            {
                int epochs = row.Long ? longEpochs : shortEpochs;
                var (without, _) = Train(arguments, trainRows, testRows, row, epochs, useBatchNorm: false);
                var (with, model) = Train(arguments, trainRows, testRows, row, epochs, useBatchNorm: true);
                trapModel ??= model;
                string line = string.Create(CultureInfo.InvariantCulture,
                    $"| {row.Init} | {row.LearningRate} | {row.Activation} | {epochs * batchesPerEpoch:N0} | {without} | {with} | {row.SeedWithout:F4} | {row.SeedWith:F4} |");
                Console.WriteLine(line);
                table.AppendLine(line);
            }

            var (population, batchOfOne) = SingleRowTrap(trapModel, testRows);
            string trap = string.Create(CultureInfo.InvariantCulture,
                $"Single-row trap (reasonable, 0.01, ReLU, long, with BN): one row at a time with population statistics {population:F4}, " +
                $"with the statistics of a batch of that one row {batchOfOne:F4} (the tutorial: 0.97 vs 0.05).");
            Console.WriteLine();
            Console.WriteLine(table);
            Console.WriteLine(trap);
            string path = Path.Combine(arguments.OutputDirectory, $"replicate-{arguments.Data}.md");
            File.WriteAllText(path, table + Environment.NewLine + trap + Environment.NewLine);
            Console.WriteLine($"Wrote {path}.");
            return 0;
        }

        private static (string Accuracy, ITransformer Model) Train(Arguments arguments, Digit[] trainRows, Digit[] testRows, Row row, int epochs, bool useBatchNorm)
        {
            var ml = new MLContext(arguments.Seed);
            var options = new BnMlpTrainer.Options
            {
                // The tutorial feeds the raw pixels in [0, 1] and trains on the labels: no input scaling and no label
                // smoothing, whatever the trainer's defaults.
                InputScaling = BnMlpInputScaling.None, LabelSmoothing = 0,
                HiddenLayerSizes = [100, 100, 100], Activation = row.Activation, UseBatchNorm = useBatchNorm,
                BatchNormEpsilon = 1e-3f, PopulationStatistics = PopulationStatisticsMode.MovingAverage, MovingAverageDecay = 0.99f,
                DropoutRate = 0, Initialization = WeightInitialization.Normal, InitialWeightStandardDeviation = row.Std,
                Optimizer = BnMlpOptimizer.Sgd, LearningRate = row.LearningRate, BatchSize = 60, NumberOfEpochs = epochs,
                NumberOfThreads = arguments.Threads ?? 1,
            };
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Append(ml.MulticlassClassification.Trainers.BnMlp(options));
            try
            {
                var model = pipeline.Fit(ml.Data.LoadFromEnumerable(trainRows));
                double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(testRows))).MicroAccuracy;
                return (accuracy.ToString("F4", CultureInfo.InvariantCulture), model);
            }
            catch (InvalidOperationException e) when (e.Message.Contains("diverged", StringComparison.Ordinal))
            {
                // The tutorial's network kept training on NaN and scored chance; this trainer stops and says so.
                return ("diverged (NaN loss)", null);
            }
        }

        /// <summary>
        /// Accuracy of single-row predictions with population statistics (PredictionEngine), and with the statistics of a
        /// batch made of that one row. In a batch of one, every unit equals the batch mean, so batch normalization outputs
        /// its shift beta whatever the row: the prediction is the same for every row. (PyTorch refuses a one-row batch in
        /// training mode; TensorFlow computes it.) The latter is computed from the public model parameters.
        /// </summary>
        private static (double Population, double BatchOfOne) SingleRowTrap(ITransformer model, Digit[] testRows)
        {
            var engine = new MLContext().Model.CreatePredictionEngine<Digit, DigitPrediction>(model);
            // Keys are in label order from 1: key k is digit k - 1.
            double population = testRows.Count(r => engine.Predict(r).PredictedLabel == r.Label + 1) / (double)testRows.Length;
            var parameters = ((System.Collections.Generic.IEnumerable<ITransformer>)model).OfType<BnMlpMulticlassTransformer>().Single().Model;
            int constantClass = BatchOfOnePrediction(parameters);
            return (population, testRows.Count(r => r.Label == constantClass) / (double)testRows.Length);
        }

        /// <summary>The class every row gets when each BN layer normalizes a batch of that row alone: hidden BN layers
        /// output beta, so the input does not matter.</summary>
        private static int BatchOfOnePrediction(BnMlpModelParameters model)
        {
            double[] x = null;
            foreach (var layer in model.Layers)
            {
                var h = new double[layer.OutputCount];
                for (int j = 0; j < h.Length; j++)
                {
                    double sum = layer.BatchNorm is { } bn ? bn.Beta[j] : Enumerable.Range(0, layer.InputCount).Sum(i => layer.Weights[j * layer.InputCount + i] * x[i]) + (layer.Bias?[j] ?? 0);
                    h[j] = ReferenceForward.Activate(layer.Activation, sum);
                }
                x = h;
            }
            return Array.IndexOf(x, x.Max());
        }
    }
}
