using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using Microsoft.ML;
using MnistPipeline;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>Time from loading a saved model to its first prediction, in a process that has done nothing else: through
    /// ML.NET (<c>Model.Load</c>, <c>PredictionEngine</c>), or directly (<see cref="BnMlpModelFile"/>, <see cref="BnMlpPredictor"/>).</summary>
    internal static class FirstPrediction
    {
        /// <summary>Runs this benchmark's own executable in a fresh process; returns its measurement.</summary>
        /// <param name="zip">The saved pipeline.</param>
        /// <param name="direct">Read the BN-MLP out of the zip and predict without a PredictionEngine.</param>
        public static (double Milliseconds, bool NativeLibraryLoaded) InFreshProcess(string zip, bool direct)
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
            var ml = new MLContext(seed: 1);
            if (direct)
            {
                var predictor = new BnMlpPredictor(BnMlpModelFile.Load(ml, zip));
                predictor.Predict(row.Features, new float[predictor.OutputCount]);
            }
            else
            {
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
