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
        /// <param name="runs">Fresh processes to start, one after the other.</param>
        public static (double MedianMilliseconds, bool NativeLibraryLoaded) InFreshProcesses(string zip, bool direct, int runs)
        {
            var results = Enumerable.Range(0, runs).Select(_ => InFreshProcess(zip, direct)).ToArray();
            var milliseconds = results.Select(r => r.Milliseconds).Order().ToArray();
            return (milliseconds[runs / 2], results.Any(r => r.NativeLibraryLoaded));
        }

        private static (double Milliseconds, bool NativeLibraryLoaded) InFreshProcess(string zip, bool direct)
        {
            var start = new ProcessStartInfo("dotnet", [typeof(FirstPrediction).Assembly.Location, "inference", direct ? "--first-prediction-direct" : "--first-prediction", zip])
            {
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start);
            string[] fields = process.StandardOutput.ReadToEnd().Trim().Split(' ');
            process.WaitForExit();
            return (double.Parse(fields[0], CultureInfo.InvariantCulture), fields[1] == "True");
        }

        /// <summary>The child's side: load, create a PredictionEngine, predict one row; print milliseconds and whether a
        /// TorchSharp native library is mapped into the process.</summary>
        public static int Run(string zip, bool direct)
        {
            var row = new Digit { Features = new float[Digit.PixelCount] };
            var clock = Stopwatch.StartNew();
            if (direct)
            {
                var predictor = BnMlpPredictor.Load(zip);
                predictor.Predict(row.Features, new float[predictor.OutputCount]);
            }
            else
            {
                var ml = new MLContext(seed: 1);
                var model = ml.Model.Load(zip, out _);
                ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(model).Predict(row);
            }
            double milliseconds = clock.Elapsed.TotalMilliseconds;
            bool native = File.ReadAllText("/proc/self/maps").Contains("libtorch", StringComparison.OrdinalIgnoreCase);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{milliseconds:F1} {native}"));
            return 0;
        }
    }
}
