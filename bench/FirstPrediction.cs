using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNet.BatchNorm.TestSupport;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>Time from loading a saved model to its first prediction, in a process that has done nothing else: through
    /// ML.NET (<c>Model.Load</c>, <c>PredictionEngine</c>), or directly (<see cref="BnMlpPredictor.Load(string)"/>).</summary>
    internal static class FirstPrediction
    {
        /// <summary>The median over <paramref name="runs"/> fresh processes (a single cold start varies by ±10 ms here),
        /// and whether any of them loaded a TorchSharp native library.</summary>
        /// <param name="zip">The saved pipeline.</param>
        /// <param name="direct">Read the BN-MLP out of the zip and predict without a PredictionEngine.</param>
        /// <param name="fashion">Time the cold calls on Fashion-MNIST's test rows (else mnist10k's).</param>
        /// <param name="runs">Fresh processes to start, one after the other.</param>
        public static (double MedianMilliseconds, bool NativeLibraryLoaded, double MedianColdMicroseconds) InFreshProcesses(string zip, bool direct, bool fashion, int runs)
        {
            var results = Enumerable.Range(0, runs).Select(_ => InFreshProcess(zip, direct, fashion)).ToArray();
            double Median(System.Collections.Generic.IEnumerable<double> values) => values.Order().ElementAt(runs / 2);
            return (Median(results.Select(r => r.Milliseconds)), results.Any(r => r.NativeLibraryLoaded), Median(results.Select(r => r.ColdMicroseconds)));
        }

        private static (double Milliseconds, bool NativeLibraryLoaded, double ColdMicroseconds) InFreshProcess(string zip, bool direct, bool fashion)
        {
            var start = new ProcessStartInfo("dotnet", [typeof(FirstPrediction).Assembly.Location, "inference", direct ? "--first-prediction-direct" : "--first-prediction", zip,
                .. (fashion ? ["--fashion"] : Array.Empty<string>())])
            {
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start);
            string[] fields = process.StandardOutput.ReadToEnd().Trim().Split(' ');
            process.WaitForExit();
            return (double.Parse(fields[0], CultureInfo.InvariantCulture), fields[1] == "True", double.Parse(fields[2], CultureInfo.InvariantCulture));
        }

        /// <summary>Calls timed after the first prediction: how long the JIT's first tiers take to give way.</summary>
        public const int ColdCalls = 1_000;

        /// <summary>The child's side: load, create a PredictionEngine, predict one row; then the next
        /// <see cref="ColdCalls"/> predictions on test rows (read before the clock starts). Prints the milliseconds to the
        /// first prediction, whether a TorchSharp native library is mapped into the process, and the mean microseconds of
        /// the next calls.</summary>
        public static int Run(string zip, bool direct, bool fashion)
        {
            var row = new Digit { Features = new float[Digit.PixelCount] };
            var rows = InferenceSetup.TestRows(fashion);
            Action<Digit> predict;
            var clock = Stopwatch.StartNew();
            if (direct)
            {
                var predictor = BnMlpPredictor.Load(zip);
                var outputs = new float[predictor.OutputCount];
                predict = r => predictor.Predict(r.Features, outputs);
            }
            else
            {
                var ml = new MLContext(seed: 1);
                var model = ml.Model.Load(zip, out _);
                var engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(model);
                var prediction = new DigitPrediction();
                predict = r => engine.Predict(r, ref prediction);
            }
            predict(row);
            double milliseconds = clock.Elapsed.TotalMilliseconds;
            long start = Stopwatch.GetTimestamp();
            for (int i = 0; i < ColdCalls; i++)
                predict(rows[i % rows.Length]);
            double coldMicroseconds = Stopwatch.GetElapsedTime(start).TotalMicroseconds / ColdCalls;
            bool native = File.ReadAllText("/proc/self/maps").Contains("libtorch", StringComparison.OrdinalIgnoreCase);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{milliseconds:F1} {native} {coldMicroseconds:F2}"));
            return 0;
        }
    }
}
