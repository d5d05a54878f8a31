using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Microsoft.ML;
using MLNet.BatchNorm;
using MLNet.BatchNorm.TestSupport;
using ScottPlot;

namespace MnistPipeline
{
    /// <summary>
    /// --regression DIR: the BN tutorial's regression toy (x in [-7, 10], 500 points, y = x² - 5 + N(0, 8²); seven
    /// hidden layers of 30 units, weights N(0, 1), biases 0.1, SGD 0.001, batch 64), ReLU and tanh, with BN (also on the
    /// input) and without. Writes the cost curves and each layer's pre-activation histograms as PNG, and a table of test
    /// R², dead ReLU units and saturated tanh values.
    /// </summary>
    public static class RegressionMode
    {
        private const int TrainPoints = 500, TestPoints = 200, Layers = 7, Units = 30;
        private const double Noise = 8;

        public static int Run(Arguments arguments)
        {
            int epochs = arguments.Epochs ?? 100;
            int[] checkpoints = new[] { 1, 10, epochs }.Where(e => e <= epochs).Distinct().ToArray();
            var train = ToyCurve.Generate(TrainPoints, Noise, arguments.Seed);
            var test = ToyCurve.Generate(TestPoints, Noise, arguments.Seed + 1);
            string directory = arguments.RegressionDirectory;
            Directory.CreateDirectory(directory);
            var table = new StringBuilder()
                .AppendLine("| activation | BN | final training loss | test R² | test RMSE | dead ReLU units | saturated tanh values (\\|y\\| > 0.99) |")
                .AppendLine("|---|---|---|---|---|---|---|");
            var costs = new Plot();
            var notDrawn = new List<string>();
            foreach (var activation in new[] { BnMlpActivation.ReLU, BnMlpActivation.Tanh })
            {
                foreach (bool useBatchNorm in new[] { false, true })
                {
                    string name = $"{activation} {(useBatchNorm ? "with BN" : "without BN")}";
                    var histograms = new Dictionary<string, double[][]>();
                    Outcome last = null;
                    foreach (int checkpoint in checkpoints)
                    {
                        // Same seed: the run of N epochs is the first N epochs of the longer runs.
                        last = Train(arguments.Seed, train, test, activation, useBatchNorm, checkpoint);
                        if (last.Model != null)
                            histograms[$"after epoch {checkpoint}"] = PreActivations(last.Model, test);
                    }
                    // Only the epochs that ended with a finite loss: a run that diverged in its first epoch has no line, so
                    // it gets no legend entry either, and the title says why it is missing.
                    var finite = last.Epochs.Where(m => double.IsFinite(m.TrainingLoss)).ToArray();
                    if (finite.Length > 0)
                        costs.Add.ScatterLine(finite.Select(m => (double)m.Epoch).ToArray(), finite.Select(m => Math.Log10(m.TrainingLoss)).ToArray()).LegendText = name;
                    else
                        notDrawn.Add($"{name}: {last.Failure ?? "no finite loss"}");
                    if (histograms.Count > 0)
                    {
                        string file = $"regression-preactivations-{activation.ToString().ToLowerInvariant()}-{(useBatchNorm ? "bn" : "no-bn")}.png";
                        HistogramPlot.Save(histograms, l => l == 0 ? $"{name}: input{(useBatchNorm ? " (after BN)" : "")}" : $"{name}: hidden layer {l} pre-activations",
                            Path.Combine(directory, file));
                    }
                    string line = Row(activation, useBatchNorm, last, test);
                    Console.WriteLine(line);
                    table.AppendLine(line);
                }
            }
            costs.Title("Regression toy, 7 x 30, SGD 0.001, batch 64: training cost" + (notDrawn.Count > 0 ? $"\n(not drawn: {string.Join("; ", notDrawn)})" : ""));
            costs.XLabel("epoch (8 steps)");
            costs.YLabel("log10 mean squared error");
            // Beside the data, not over it: the curves end in the lower right corner, where the legend would sit.
            costs.ShowLegend(Edge.Right);
            string costsPath = Path.Combine(directory, "regression-cost.png");
            costs.SavePng(costsPath, 900, 550);
            Console.WriteLine($"Wrote {costsPath}.");
            Console.WriteLine();
            Console.WriteLine(table);
            string tablePath = Path.Combine(arguments.OutputDirectory, "regression.md");
            File.WriteAllText(tablePath, table.ToString());
            Console.WriteLine($"Wrote {tablePath}.");
            return 0;
        }

        private sealed record Outcome(BnMlpModelParameters Model, List<BnMlpEpochMetrics> Epochs, double RSquared, double Rmse, string Failure);

        private static Outcome Train(int seed, CurvePoint[] train, CurvePoint[] test, BnMlpActivation activation, bool useBatchNorm, int epochs)
        {
            var ml = new MLContext(seed);
            var recorder = new EpochRecorder();
            var options = new BnMlpRegressionTrainer.Options
            {
                // The tutorial feeds x as it is (up to 10): no input scaling, whatever the trainer's default.
                InputScaling = BnMlpInputScaling.None,
                HiddenLayerSizes = Enumerable.Repeat(Units, Layers).ToArray(), Activation = activation,
                UseBatchNorm = useBatchNorm, BatchNormOnInput = useBatchNorm, DropoutRate = 0,
                Initialization = WeightInitialization.Normal, InitialWeightStandardDeviation = 1, InitialBias = 0.1f,
                Optimizer = BnMlpOptimizer.Sgd, LearningRate = 0.001f, BatchSize = 64, NumberOfEpochs = epochs, NumberOfThreads = 1,
                Progress = recorder,
            };
            try
            {
                var model = ml.Regression.Trainers.BnMlp(options).Fit(ml.Data.LoadFromEnumerable(train));
                var metrics = ml.Regression.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(test)));
                return new Outcome(model.Model, recorder.Epochs, metrics.RSquared, metrics.RootMeanSquaredError, null);
            }
            catch (InvalidOperationException e) when (e.Message.Contains("diverged", StringComparison.Ordinal))
            {
                // "Training diverged in epoch E, batch B of N": the plain network's values overflow float32.
                return new Outcome(null, recorder.Epochs, double.NaN, double.NaN, e.Message[..e.Message.IndexOf(':')]);
            }
        }

        /// <summary>The (normalized) input, then each hidden layer's pre-activations, over the test points.</summary>
        private static double[][] PreActivations(BnMlpModelParameters model, CurvePoint[] points) =>
            ReferenceForward.HiddenPreActivations(model, points.Select(p => p.Features))
                .Prepend(points.SelectMany(p => ReferenceForward.NormalizedInput(model, p.Features)).ToArray())
                .ToArray();

        private static string Row(BnMlpActivation activation, bool useBatchNorm, Outcome run, CurvePoint[] test)
        {
            if (run.Model is null)
                return $"| {activation} | {(useBatchNorm ? "yes" : "no")} | {run.Failure} | | | | |";
            var hidden = ReferenceForward.HiddenPreActivations(run.Model, test.Select(p => p.Features));
            string dead = "", saturated = "";
            if (activation == BnMlpActivation.ReLU)
            {
                // A unit is dead when its pre-activation is negative for every test point: it outputs 0 and gets no gradient.
                int deadUnits = hidden.Sum(layer => Enumerable.Range(0, Units).Count(u => Enumerable.Range(0, TestPoints).All(p => layer[p * Units + u] <= 0)));
                dead = $"{deadUnits} of {Layers * Units}";
            }
            else
            {
                double share = hidden.SelectMany(layer => layer).Count(v => Math.Abs(Math.Tanh(v)) > 0.99) / (double)(Layers * Units * TestPoints);
                saturated = share.ToString("P1", CultureInfo.InvariantCulture);
            }
            return string.Create(CultureInfo.InvariantCulture,
                $"| {activation} | {(useBatchNorm ? "yes" : "no")} | {run.Epochs[^1].TrainingLoss:F1} | {run.RSquared:F4} | {run.Rmse:F2} | {dead} | {saturated} |");
        }
    }
}
