using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Transforms;
using MLNet.BatchNorm.TestSupport;
using static TorchSharp.torch;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>
    /// Training steps per second, SGD, in one run: BnMlp's Fit from an IDataView, a bare TorchSharp loop on preloaded
    /// tensors, and the PyTorch + OpenBLAS reference on the same data, all with the same number of threads (one unless
    /// told otherwise); ratios last.
    /// </summary>
    internal static class TrainingBench
    {
        public static int Run(bool quick, int threads, BnMlpMatrixPrecision precision)
        {
            set_num_threads(threads);
            // Before any matrix product, so that BnMlp and the bare TorchSharp loop run the same oneMKL kernels.
            Console.WriteLine(MklCpuDispatch.Describe(MklCpuDispatch.EnsureApplied()));
            bool fashion = Directory.Exists(Digits.FashionDirectory);
            var (trainRows, _) = fashion ? Digits.LoadFashion() : Digits.LoadMnist10k();
            string pyTorchData = fashion ? Digits.FashionDirectory : "synthetic";
            Console.WriteLine($"Data: {(fashion ? "Fashion-MNIST" : "mnist10k")}, {trainRows.Length} rows x 784; {threads} thread(s); SGD lr 0.01, no dropout; " +
                $"{(quick ? "quick" : "full")} mode; load {InferenceBench.LoadAverage()}.");
            if (precision != BnMlpMatrixPrecision.Float32)
                Console.WriteLine($"BnMlp's Fit multiplies in {precision} (MatrixPrecision); the bare loop and PyTorch in float32.");
            using var features = tensor(trainRows.SelectMany(r => r.Features).ToArray(), [trainRows.Length, Digit.PixelCount]);
            using var labels = tensor(trainRows.Select(r => (long)r.Label).ToArray(), [trainRows.Length]);

            // Runs on this shared VM drift by 15 % and more within minutes: each figure is the median of interleaved rounds,
            // and each ratio the median of the rounds' own ratios (the two sides measured a minute apart at most).
            int rounds = quick ? 1 : 3;
            var configurations = new (int[] Hidden, int Batch)[] { ([100, 100, 100], 60), ([100, 100, 100], 256), ([512, 512], 256) };
            Console.WriteLine($"Median of {rounds} interleaved round(s) per configuration.");
            Console.WriteLine("| network | batch | BnMlp Fit, training loop | BnMlp Fit, end to end | reading and input scaling | exact statistics pass | bare TorchSharp loop | PyTorch + OpenBLAS | BnMlp loop / PyTorch | BnMlp loop / bare loop | BnMlp end to end / loop |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
            foreach (var (hidden, batch) in configurations)
            {
                var measured = Enumerable.Range(0, rounds).Select(_ =>
                {
                    var (loop, endToEnd, readingShare, statisticsShare) = BnMlpStepsPerSecond(trainRows, hidden, batch, epochs: quick ? 2 : 4, threads, precision);
                    double bare = BareTorchSharpLoop.StepsPerSecond(features, labels, hidden, batch, seconds: quick ? 2 : 5);
                    var pyTorch = PyTorchReference.Run("train", "--threads", threads.ToString(CultureInfo.InvariantCulture), "--batch", batch.ToString(CultureInfo.InvariantCulture),
                        "--hidden", string.Join(",", hidden), "--seconds", quick ? "2" : "5", "--data", pyTorchData);
                    return (Loop: loop, EndToEnd: endToEnd, ReadingShare: readingShare, StatisticsShare: statisticsShare, Bare: bare, PyTorch: pyTorch?.GetProperty("steps_per_s").GetDouble());
                }).ToArray();
                bool hasPyTorch = measured.All(m => m.PyTorch != null);
                string network = $"784-{string.Join("-", hidden)}-10 BN";
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {network} | {batch} | {Median(measured.Select(m => m.Loop)):F0} steps/s | {Median(measured.Select(m => m.EndToEnd)):F0} steps/s | " +
                    $"{Median(measured.Select(m => m.ReadingShare)):P1} of Fit | {Median(measured.Select(m => m.StatisticsShare)):P1} of Fit | {Median(measured.Select(m => m.Bare)):F0} steps/s | " +
                    $"{(hasPyTorch ? $"{Median(measured.Select(m => m.PyTorch.Value)):F0} steps/s" : "not available")} | " +
                    $"{(hasPyTorch ? Ratio(measured.Select(m => m.Loop / m.PyTorch.Value)) : "-")} | {Ratio(measured.Select(m => m.Loop / m.Bare))} | " +
                    $"{Ratio(measured.Select(m => m.EndToEnd / m.Loop))} |"));
            }
            return 0;
        }

        /// <summary>The median ratio, and with several rounds their range.</summary>
        private static string Ratio(IEnumerable<double> ratios)
        {
            var all = ratios.ToArray();
            string median = string.Create(CultureInfo.InvariantCulture, $"{Median(all):F2}x");
            return all.Length == 1 ? median : string.Create(CultureInfo.InvariantCulture, $"{median} ({all.Min():F2}-{all.Max():F2})");
        }

        private static double Median(IEnumerable<double> values)
        {
            var sorted = values.Order().ToArray();
            return sorted[sorted.Length / 2];
        }

        /// <summary>
        /// Steps per second of the training loop (median epoch after the first) and of the whole Fit, and the shares of Fit
        /// time before the first epoch (reading the IDataView into native memory, fitting and applying the input scaling)
        /// and of the exact statistics pass. Fit is the trainer's alone: the key mapping of the label is fitted first,
        /// outside the clock (its dictionary pass is not BnMlp's work), and applied lazily as Fit reads the rows.
        /// </summary>
        private static (double Loop, double EndToEnd, double ReadingShare, double StatisticsShare) BnMlpStepsPerSecond(Digit[] rows, int[] hidden, int batch,
            int epochs, int threads, BnMlpMatrixPrecision precision)
        {
            var ml = new MLContext(seed: 1);
            var clock = new Stopwatch();
            double statisticsSeconds = 0, readingSeconds = 0;
            ml.Log += (_, e) =>
            {
                const string statistics = "Population statistics (exact pass) took ";
                if (e.RawMessage.StartsWith(statistics, StringComparison.Ordinal))
                    statisticsSeconds = double.Parse(e.RawMessage[statistics.Length..].Split(' ')[0], CultureInfo.InvariantCulture);
                else if (e.RawMessage.Contains(" training rows: batches of ", StringComparison.Ordinal))
                    readingSeconds = clock.Elapsed.TotalSeconds;
            };
            var recorder = new EpochRecorder();
            var options = new BnMlpTrainer.Options
            {
                HiddenLayerSizes = hidden, BatchSize = batch, Optimizer = BnMlpOptimizer.Sgd, LearningRate = 0.01f, DropoutRate = 0,
                NumberOfEpochs = epochs, NumberOfThreads = threads, Progress = recorder, MatrixPrecision = precision,
                // The loss of the bare loop and of PyTorch's script.
                LabelSmoothing = 0,
            };
            var data = ml.Data.LoadFromEnumerable(rows);
            var keyed = ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue).Fit(data).Transform(data);
            var trainer = ml.MulticlassClassification.Trainers.BnMlp(options);
            clock.Start();
            trainer.Fit(keyed);
            double fitSeconds = clock.Elapsed.TotalSeconds;
            // Steps counted alike on both sides: every epoch has ceil(rows / batch) steps, the last one shorter.
            double stepsPerEpoch = Math.Ceiling(rows.Length / (double)batch);
            var later = recorder.Epochs.Skip(1).Select(m => stepsPerEpoch * m.RowsPerSecond / rows.Length).Order().ToArray();
            return (later[later.Length / 2], epochs * stepsPerEpoch / fitSeconds, readingSeconds / fitSeconds, statisticsSeconds / fitSeconds);
        }
    }
}
