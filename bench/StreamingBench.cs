using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNet.BatchNorm.TestSupport;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>
    /// Training beyond memory, in one run: one epoch on a lazily generated IDataView far larger than the memory budget
    /// (streamed), against one epoch on a smaller one that fits (in memory); rows per second and the process's peak
    /// resident memory in each phase. Then the peak of an in-memory Fit on Fashion-MNIST, when it is installed.
    /// </summary>
    internal static class StreamingBench
    {
        private const int Batch = 256, BudgetMegabytes = 1024;

        public static int Run(bool quick)
        {
            long streamedRows = quick ? 1_000_000 : 5_000_000, inMemoryRows = 1_000_000;
            Console.WriteLine($"784-100-100-100-10 BN, SGD lr 0.01, batch {Batch}, one epoch, 1 thread; " +
                $"{(quick ? "quick" : "full")} mode; load {InferenceBench.LoadAverage()}.");
            Console.WriteLine("| path | rows | features as float32 | Fit (one epoch, statistics pass included) | training rows/s | end-to-end rows/s | peak RSS | held-out accuracy |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|");
            // A short Fit first, so that neither measured phase pays for JIT and TorchSharp's start-up.
            Fit(new MLContext(seed: 1), new SyntheticDigits(20_000), new EpochRecorder());
            // Streamed first: the in-memory phase leaves gigabytes that the allocators keep, which would count in its peak.
            var streamed = Measure($"streamed (budget {BudgetMegabytes} MB)", new SyntheticDigits(streamedRows), BudgetMegabytes);
            var inMemory = Measure("in memory (budget 4096 MB)", new SyntheticDigits(inMemoryRows), budgetMegabytes: 4096);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"Streamed / in memory: training rows/s {streamed.TrainingRowsPerSecond / inMemory.TrainingRowsPerSecond:F2}x, end to end {streamed.EndToEndRowsPerSecond / inMemory.EndToEndRowsPerSecond:F2}x."));

            if (Directory.Exists(Digits.FashionDirectory))
                MeasureFashionInFreshProcess();
            else
                Console.WriteLine("Fashion-MNIST is not installed (apt-get install dataset-fashion-mnist): its peak-memory row is skipped.");
            return 0;
        }

        /// <summary>
        /// Peak memory of an in-memory Fit on Fashion-MNIST in a process of its own (this one has held gigabytes), read
        /// from a binary IDataView file so that no managed copy of the rows is counted: what the trainer itself adds.
        /// </summary>
        private static void MeasureFashionInFreshProcess()
        {
            var ml = new MLContext(seed: 1);
            string file = Path.Combine(Path.GetTempPath(), "bnmlp-fashion-train.idv");
            var (fashion, _) = Digits.LoadFashion();
            var rows = ml.Data.LoadFromEnumerable(fashion);
            using (var stream = File.Create(file))
                ml.Data.SaveAsBinary(ml.Transforms.Conversion.MapValueToKey("Label").Fit(rows).Transform(rows), stream);
            var start = new ProcessStartInfo("dotnet", [typeof(StreamingBench).Assembly.Location, "streaming", "--fashion-memory", file]) { RedirectStandardOutput = true };
            using var process = Process.Start(start);
            Console.Write(process.StandardOutput.ReadToEnd());
            process.WaitForExit();
            File.Delete(file);
        }

        /// <summary>The child process of <see cref="MeasureFashionInFreshProcess"/>.</summary>
        public static int MeasureFashion(string file)
        {
            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromBinary(file);
            long featureBytes = data.GetRowCount().Value * Digit.PixelCount * sizeof(float);
            long before = ResidentBytes("VmRSS:");
            ResetPeak();
            Fit(ml, data, new EpochRecorder(), budgetMegabytes: 4096);
            long peak = ResidentBytes("VmHWM:");
            long target = featureBytes * 3 / 2 + (400L << 20);
            Console.WriteLine($"Fashion-MNIST in memory ({data.GetRowCount():N0} rows, {Megabytes(featureBytes)} of features, read from a binary IDataView file, " +
                $"fresh process): RSS before Fit {Megabytes(before)}, peak during Fit {Megabytes(peak)}; target 1.5 x features + 400 MB = {Megabytes(target)}: " +
                $"{(peak <= target ? "met" : "not met")}.");
            return 0;
        }

        private sealed record Result(double TrainingRowsPerSecond, double EndToEndRowsPerSecond);

        private static Result Measure(string path, SyntheticDigits data, int budgetMegabytes)
        {
            var ml = new MLContext(seed: 1);
            GC.Collect();
            ResetPeak();
            var recorder = new EpochRecorder();
            var clock = Stopwatch.StartNew();
            var model = Fit(ml, data, recorder, budgetMegabytes);
            double seconds = clock.Elapsed.TotalSeconds;
            long peak = ResidentBytes("VmHWM:");
            long rows = data.GetRowCount().Value;
            var heldOut = new SyntheticDigits(10_000, firstRow: 1L << 40);
            double accuracy = ml.MulticlassClassification.Evaluate(model.Transform(heldOut)).MicroAccuracy;
            var result = new Result(recorder.Epochs[0].RowsPerSecond, rows / seconds);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {path} | {rows:N0} | {Megabytes(data.FeatureBytes)} | {seconds:F1} s | {result.TrainingRowsPerSecond:N0} | {result.EndToEndRowsPerSecond:N0} | {Megabytes(peak)} | {accuracy:P2} |"));
            return result;
        }

        private static ITransformer Fit(MLContext ml, IDataView data, EpochRecorder recorder, int budgetMegabytes = BudgetMegabytes)
        {
            var options = new BnMlpTrainer.Options
            {
                HiddenLayerSizes = [100, 100, 100], BatchSize = Batch, Optimizer = BnMlpOptimizer.Sgd, LearningRate = 0.01f, DropoutRate = 0,
                NumberOfEpochs = 1, NumberOfThreads = 1, MemoryBudgetMegabytes = budgetMegabytes, Progress = recorder, LabelSmoothing = 0,
            };
            return ml.MulticlassClassification.Trainers.BnMlp(options).Fit(data);
        }

        private static string Megabytes(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024.0):N0} MB");

        /// <summary>Linux resets the peak resident set size (VmHWM) when 5 is written to clear_refs.</summary>
        private static void ResetPeak() => File.WriteAllText("/proc/self/clear_refs", "5");

        /// <summary>VmRSS (now) or VmHWM (peak since the last reset) of this process.</summary>
        private static long ResidentBytes(string field)
        {
            string line = File.ReadLines("/proc/self/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
            return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
        }
    }
}
