using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MLNet.BatchNorm;
using ScottPlot;

namespace MnistPipeline
{
    /// <summary>
    /// --plots DIR: PNG pictures of the tutorial's reference network (3 x 100 sigmoid, N(0, 0.05), SGD 0.01, batch 60)
    /// with and without BN: validation accuracy per epoch, and each hidden layer's pre-activation histogram after epochs
    /// 1, 5 and 20; plus accuracy against Fit time from a --compare leaderboard CSV found in DIR.
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
                var histograms = new Dictionary<int, double[][]>();
                List<BnMlpEpochMetrics> epochs = null;
                foreach (int checkpoint in Checkpoints)
                {
                    // Same seed: the run of N epochs is the first N epochs of the longer runs.
                    var (model, metrics) = Train(arguments, trainRows, useBatchNorm, checkpoint);
                    histograms[checkpoint] = PreActivations(model, testRows.Take(HistogramRows));
                    epochs = metrics;
                }
                var line = curves.Add.Scatter(epochs.Select(m => (double)m.Epoch).ToArray(), epochs.Select(m => m.ValidationAccuracy.Value).ToArray());
                line.LegendText = name;
                Console.WriteLine($"{name}: validation accuracy {string.Join(" ", epochs.Select(m => m.ValidationAccuracy.Value.ToString("P1", CultureInfo.InvariantCulture)))}");
                SaveHistograms(histograms, name, Path.Combine(directory, $"preactivations-{(useBatchNorm ? "bn" : "no-bn")}.png"));
            }
            curves.Title("3 x 100 sigmoid, SGD 0.01, batch 60: validation accuracy");
            curves.XLabel("epoch");
            curves.YLabel("validation accuracy (10% of the training rows)");
            curves.ShowLegend();
            Save(curves, Path.Combine(directory, "validation-accuracy.png"));

            string leaderboard = Path.Combine(directory, $"leaderboard-{arguments.Data}.csv");
            if (File.Exists(leaderboard))
                SaveLeaderboard(leaderboard, Path.Combine(directory, $"leaderboard-{arguments.Data}.png"));
            return 0;
        }

        private static (BnMlpModelParameters Model, List<BnMlpEpochMetrics> Epochs) Train(Arguments arguments, Digit[] rows, bool useBatchNorm, int epochs)
        {
            var ml = new MLContext(arguments.Seed);
            var recorded = new List<BnMlpEpochMetrics>();
            var options = new BnMlpTrainer.Options
            {
                HiddenLayerSizes = [100, 100, 100], Activation = BnMlpActivation.Sigmoid, UseBatchNorm = useBatchNorm,
                BatchNormEpsilon = 1e-3f, PopulationStatistics = PopulationStatisticsMode.MovingAverage, MovingAverageDecay = 0.99f,
                DropoutRate = 0, Initialization = WeightInitialization.Normal, InitialWeightStandardDeviation = 0.05f,
                Optimizer = BnMlpOptimizer.Sgd, LearningRate = 0.01f, BatchSize = 60, NumberOfEpochs = epochs, NumberOfThreads = 1,
                ValidationFraction = 0.1f, Progress = new Recorder(recorded),
            };
            var model = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Append(ml.MulticlassClassification.Trainers.BnMlp(options)).Fit(ml.Data.LoadFromEnumerable(rows));
            return (model.LastTransformer.Model, recorded);
        }

        /// <summary>Each hidden layer's values before the activation (after BN with its population statistics, when
        /// there is BN) for the given rows: [layer][row * units + unit].</summary>
        private static double[][] PreActivations(BnMlpModelParameters model, IEnumerable<Digit> rows)
        {
            int hidden = model.Layers.Count - 1;
            var values = Enumerable.Range(0, hidden).Select(_ => new List<double>()).ToArray();
            foreach (var row in rows)
            {
                var layers = ReferenceForward.PreActivations(model, row.Features);
                for (int l = 0; l < hidden; l++)
                    values[l].AddRange(layers[l]);
            }
            return values.Select(v => v.ToArray()).ToArray();
        }

        private static void SaveHistograms(Dictionary<int, double[][]> histograms, string name, string path)
        {
            int layers = histograms[Checkpoints[0]].Length;
            var multiplot = new Multiplot();
            multiplot.AddPlots(layers);
            for (int l = 0; l < layers; l++)
            {
                var plot = multiplot.GetPlot(l);
                foreach (int checkpoint in Checkpoints)
                {
                    var histogram = ScottPlot.Statistics.Histogram.WithBinCount(60, histograms[checkpoint][l]);
                    var line = plot.Add.ScatterLine(histogram.Bins, histogram.Counts.Select(c => (double)c / histograms[checkpoint][l].Length).ToArray());
                    line.LegendText = $"after epoch {checkpoint}";
                }
                plot.Title($"{name}: hidden layer {l + 1} pre-activations");
                plot.YLabel("fraction of values");
                plot.ShowLegend();
            }
            multiplot.SavePng(path, 900, 300 * layers);
            Console.WriteLine($"Wrote {path}.");
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

        private sealed class Recorder(List<BnMlpEpochMetrics> epochs) : IProgress<BnMlpEpochMetrics>
        {
            public void Report(BnMlpEpochMetrics value) => epochs.Add(value);
        }
    }
}
