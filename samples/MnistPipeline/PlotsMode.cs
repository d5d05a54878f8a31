using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MLNet.BatchNorm;
using MLNet.BatchNorm.TestSupport;
using ScottPlot;

namespace MnistPipeline
{
    /// <summary>
    /// --plots DIR: PNG pictures of the tutorial's reference network (3 x 100 sigmoid, N(0, 0.05), SGD 0.01, batch 60)
    /// with and without BN: validation accuracy per epoch, and each hidden layer's pre-activation histogram after epochs
    /// 1, 5 and 20; plus accuracy against Fit time from the leaderboard CSV that --compare wrote into the --out directory.
    /// </summary>
    public static class PlotsMode
    {
        private static readonly int[] Checkpoints = [1, 5, 20];
        private const int HistogramRows = 500;

        public static int Run(Arguments arguments)
        {
            var (trainRows, testRows) = arguments.LoadData();
            string directory = arguments.PlotsDirectory;
            Directory.CreateDirectory(directory);
            var curves = new Plot();
            foreach (bool useBatchNorm in new[] { false, true })
            {
                string name = useBatchNorm ? "with BN" : "without BN";
                var histograms = new Dictionary<string, double[][]>();
                List<BnMlpEpochMetrics> epochs = null;
                foreach (int checkpoint in Checkpoints)
                {
                    // Same seed: the run of N epochs is the first N epochs of the longer runs.
                    var (model, metrics) = Train(arguments, trainRows, useBatchNorm, checkpoint);
                    histograms[$"after epoch {checkpoint}"] = ReferenceForward.HiddenPreActivations(model, testRows.Take(HistogramRows).Select(r => r.Features));
                    epochs = metrics;
                }
                var line = curves.Add.Scatter(epochs.Select(m => (double)m.Epoch).ToArray(), epochs.Select(m => m.ValidationAccuracy.Value).ToArray());
                line.LegendText = name;
                Console.WriteLine($"{name}: validation accuracy {string.Join(" ", epochs.Select(m => m.ValidationAccuracy.Value.ToString("P1", CultureInfo.InvariantCulture)))}");
                HistogramPlot.Save(histograms, l => $"{name}: hidden layer {l + 1} pre-activations",
                    Path.Combine(directory, $"preactivations-{(useBatchNorm ? "bn" : "no-bn")}.png"));
            }
            curves.Title("3 x 100 sigmoid, SGD 0.01, batch 60: validation accuracy");
            curves.XLabel("epoch");
            curves.YLabel("validation accuracy (10% of the training rows)");
            // Beside the curves, not over them: the curve without BN runs along the bottom to the last epoch.
            curves.ShowLegend(Edge.Right);
            Save(curves, Path.Combine(directory, "validation-accuracy.png"));

            // The CSV that --compare wrote into its --out directory.
            string leaderboard = Path.Combine(arguments.OutputDirectory, $"leaderboard-{arguments.Data}.csv");
            if (File.Exists(leaderboard))
                SaveLeaderboard(leaderboard, Path.Combine(directory, $"leaderboard-{arguments.Data}.png"));
            return 0;
        }

        private static (BnMlpModelParameters Model, List<BnMlpEpochMetrics> Epochs) Train(Arguments arguments, Digit[] rows, bool useBatchNorm, int epochs)
        {
            var ml = new MLContext(arguments.Seed);
            var recorder = new EpochRecorder();
            var options = new BnMlpTrainer.Options
            {
                // The tutorial feeds the raw pixels in [0, 1] and trains on the labels: no input scaling and no label
                // smoothing, whatever the trainer's defaults.
                InputScaling = BnMlpInputScaling.None, LabelSmoothing = 0,
                HiddenLayerSizes = [100, 100, 100], Activation = BnMlpActivation.Sigmoid, UseBatchNorm = useBatchNorm,
                BatchNormEpsilon = 1e-3f, PopulationStatistics = PopulationStatisticsMode.MovingAverage, MovingAverageDecay = 0.99f,
                DropoutRate = 0, Initialization = WeightInitialization.Normal, InitialWeightStandardDeviation = 0.05f,
                Optimizer = BnMlpOptimizer.Sgd, LearningRate = 0.01f, BatchSize = 60, NumberOfEpochs = epochs, NumberOfThreads = 1,
                ValidationFraction = 0.1f, Progress = recorder,
            };
            var model = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Append(ml.MulticlassClassification.Trainers.BnMlp(options)).Fit(ml.Data.LoadFromEnumerable(rows));
            return (model.LastTransformer.Model, recorder.Epochs);
        }

        private static void SaveLeaderboard(string csv, string path)
        {
            var plot = new Plot();
            foreach (var fields in File.ReadAllLines(csv).Skip(1).Select(line => line.Split(',')))
            {
                double accuracy = double.Parse(fields[^8], CultureInfo.InvariantCulture);
                double seconds = double.Parse(fields[^5], CultureInfo.InvariantCulture);
                var point = plot.Add.Scatter(new[] { seconds }, new[] { accuracy });
                point.LegendText = fields[0] + (fields[0] == "BnMlp" ? $" ({string.Join(",", fields[1..^8]).Trim('"').Split(':')[0]})" : "");
                point.MarkerSize = 10;
            }
            plot.Title("Leaderboard: test accuracy against Fit time");
            plot.XLabel("Fit time (s)");
            plot.YLabel("test accuracy");
            plot.ShowLegend();
            Save(plot, path);
        }

        private static void Save(Plot plot, string path)
        {
            plot.SavePng(path, 900, 550);
            Console.WriteLine($"Wrote {path}.");
        }
    }
}
