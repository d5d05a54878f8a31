using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Microsoft.ML;
using MnistPipeline;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>Time from loading a saved model to its first prediction, in a process that has done nothing else.</summary>
    internal static class FirstPrediction
    {
        /// <summary>Runs this benchmark's own executable in a fresh process; returns its measurement.</summary>
        public static (double Milliseconds, bool NativeLibraryLoaded) InFreshProcess(string zip)
        {
            var start = new ProcessStartInfo("dotnet", [typeof(FirstPrediction).Assembly.Location, "inference", "--first-prediction", zip])
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
        public static int Run(string zip)
        {
            var row = new Digit { Features = new float[Digit.PixelCount] };
            var clock = Stopwatch.StartNew();
            var ml = new MLContext(seed: 1);
            var model = ml.Model.Load(zip, out _);
            var engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(model);
            engine.Predict(row);
            double milliseconds = clock.Elapsed.TotalMilliseconds;
            bool native = File.ReadAllText("/proc/self/maps").Contains("libtorch", StringComparison.OrdinalIgnoreCase);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{milliseconds:F1} {native}"));
            return 0;
        }
    }
}
