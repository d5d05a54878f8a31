using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MLNet.BatchNorm;
using MLNet.BatchNorm.TestSupport;

namespace MnistPipeline
{
    /// <summary>The main job: train, evaluate, save, load in place of the original, predict single rows.</summary>
    public static class PipelineRun
    {
        public static int Run(Arguments arguments)
        {
            var (trainRows, testRows) = arguments.LoadData();
            Console.WriteLine($"Data: {arguments.Data}, {trainRows.Length} training rows, {testRows.Length} test rows.");
            var ml = new MLContext(seed: arguments.Seed);
            // The trainer's other messages (statistics pass, warnings) come through the ML.NET log; epochs through Progress.
            ml.Log += (_, e) =>
            {
                if (e.Source.StartsWith("BnMlpTrainer", StringComparison.Ordinal) && e.Kind >= Microsoft.ML.Runtime.ChannelMessageKind.Info
                    && !e.RawMessage.StartsWith("Epoch ", StringComparison.Ordinal))
                    Console.WriteLine("  " + e.RawMessage);
            };
            var train = ml.Data.LoadFromEnumerable(trainRows);
            var test = ml.Data.LoadFromEnumerable(testRows);

            var options = new BnMlpTrainer.Options
            {
                UseBatchNorm = arguments.UseBatchNorm,
                InputScaling = arguments.InputScaling,
                NumberOfEpochs = arguments.Epochs,
                NumberOfThreads = arguments.Threads ?? BnMlpOptionsBase.Defaults.NumberOfThreads,
                ValidationFraction = arguments.ValidationFraction,
            };
            var pipeline = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Append(ml.MulticlassClassification.Trainers.BnMlp(options))
                .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));

            var clock = Stopwatch.StartNew();
            var model = TrainingProgress.Show(progress =>
            {
                options.Progress = progress;
                return pipeline.Fit(train);
            });
            double fitSeconds = clock.Elapsed.TotalSeconds;
            var net = model.OfType<BnMlpMulticlassTransformer>().Single().Model;
            Console.WriteLine($"Fit: {fitSeconds:F2} s, network {net.InputCount}-{string.Join("-", net.HiddenLayerSizes)}-{net.OutputCount}, " +
                $"batch normalization {(arguments.UseBatchNorm ? "on" : "off")} (batch size and epochs: the trainer's line above).");

            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(test));
            Console.WriteLine($"Test: accuracy {metrics.MicroAccuracy:P2} (macro {metrics.MacroAccuracy:P2}), log-loss {metrics.LogLoss:F4}");
            Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

            Directory.CreateDirectory(arguments.OutputDirectory);
            string path = Path.Combine(arguments.OutputDirectory, "model.zip");
            ml.Model.Save(model, train.Schema, path);
            var loaded = ml.Model.Load(path, out _);
            bool identical = ScoreColumn.Rows(model.Transform(test)).Zip(ScoreColumn.Rows(loaded.Transform(test)))
                .All(pair => pair.First.AsSpan().SequenceEqual(pair.Second));
            Console.WriteLine($"Saved {path} ({new FileInfo(path).Length / 1024.0:F1} KiB); loaded scores bit-identical: {identical}.");

            var engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(loaded);
            foreach (var row in testRows.Take(5))
            {
                var prediction = engine.Predict(row);
                Console.WriteLine($"  row with label {row.Label}: predicted {prediction.PredictedLabel} (p = {prediction.Score.Max():F3})");
            }
            Console.WriteLine($"PredictionEngine: median {MedianLatencyMicroseconds(engine, testRows):F2} µs per row.");
            return identical ? 0 : 1;
        }

        /// <summary>Median over 21 rounds of 1,000 calls, after enough calls for the JIT's final tier.</summary>
        private static double MedianLatencyMicroseconds(PredictionEngine<Digit, DigitPrediction> engine, Digit[] rows)
        {
            var prediction = new DigitPrediction();
            for (int i = 0; i < 30_000; i++)
                engine.Predict(rows[i % rows.Length], ref prediction);
            var rounds = new double[21];
            for (int r = 0; r < rounds.Length; r++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < 1000; i++)
                    engine.Predict(rows[(r * 1000 + i) % rows.Length], ref prediction);
                rounds[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / 1000;
            }
            Array.Sort(rounds);
            return rounds[rounds.Length / 2];
        }
    }
}
