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
        /// <summary>Medians over <paramref name="runs"/> fresh processes (a single cold start varies by ±10 ms here),
        /// and whether any of them loaded a TorchSharp native library.</summary>
        /// <param name="zip">The saved pipeline.</param>
        /// <param name="direct">Read the BN-MLP out of the zip and predict without a PredictionEngine.</param>
        /// <param name="fashion">Time the cold calls on Fashion-MNIST's test rows (else mnist10k's).</param>
        /// <param name="runs">Fresh processes to start, one after the other.</param>
        public static ColdStart InFreshProcesses(string zip, bool direct, bool fashion, int runs)
        {
            var results = Enumerable.Range(0, runs).Select(_ => InFreshProcess(zip, direct, fashion)).ToArray();
            double Median(Func<double[], double> field) => results.Select(field).Order().ElementAt(runs / 2);
            return new ColdStart(Median(r => r[0]), results.Any(r => r[1] != 0), Median(r => r[2]), Median(r => r[3]), Median(r => r[4]), Median(r => r[5]));
        }

        private static double[] InFreshProcess(string zip, bool direct, bool fashion)
        {
            var start = new ProcessStartInfo("dotnet", [typeof(FirstPrediction).Assembly.Location, "inference", direct ? "--first-prediction-direct" : "--first-prediction", zip,
                .. (fashion ? ["--fashion"] : Array.Empty<string>())])
            {
                RedirectStandardOutput = true,
            };
            using var process = Process.Start(start);
            string[] fields = process.StandardOutput.ReadToEnd().Trim().Split(' ');
            process.WaitForExit();
            return fields.Select(f => double.Parse(f, CultureInfo.InvariantCulture)).ToArray();
        }

        /// <summary>Calls timed after the first prediction: how long the JIT's first tiers take to give way.</summary>
        public const int ColdCalls = 1_000;

        /// <summary>How long the child keeps predicting after the cold calls before it times the warm ones.</summary>
        private static readonly TimeSpan WarmUp = TimeSpan.FromSeconds(2);

        private const int WarmRounds = 101, CallsPerWarmRound = 200;

        /// <summary>The child's side: load, create a PredictionEngine, predict one row; then the next
        /// <see cref="ColdCalls"/> predictions on test rows (read before the clock starts); then, after
        /// <see cref="WarmUp"/> of predictions, the median of <see cref="WarmRounds"/> rounds. Prints the milliseconds to
        /// the first prediction, 1 if a TorchSharp native library is mapped into the process (else 0), and the cold and
        /// warm microseconds per call in wall time and in the thread's CPU time.</summary>
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
            // The clocks' own first calls (the CPU clock's P/Invoke stub, about a millisecond of wall time here) are not
            // the predictions' cost: made here, they were counted as the cold calls' time.
            Time(_ => { }, rows, 0, 1);
            var (coldWall, coldCpu) = Time(predict, rows, 0, ColdCalls);
            int next = ColdCalls;
            for (var warmUp = Stopwatch.StartNew(); warmUp.Elapsed < WarmUp; next++)
                predict(rows[next % rows.Length]);
            var warmWall = new double[WarmRounds];
            var warmCpu = new double[WarmRounds];
            for (int r = 0; r < WarmRounds; r++, next += CallsPerWarmRound)
                (warmWall[r], warmCpu[r]) = Time(predict, rows, next, CallsPerWarmRound);
            bool native = File.ReadAllText("/proc/self/maps").Contains("libtorch", StringComparison.OrdinalIgnoreCase);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{milliseconds:F1} {(native ? 1 : 0)} {coldWall:F2} {coldCpu:F2} {warmWall.Order().ElementAt(WarmRounds / 2):F2} {warmCpu.Order().ElementAt(WarmRounds / 2):F2}"));
            return 0;
        }

        /// <summary>Microseconds per call of <paramref name="calls"/> predictions from row <paramref name="first"/> on, in
        /// wall time and in this thread's CPU time.</summary>
        private static (double Wall, double Cpu) Time(Action<Digit> predict, Digit[] rows, int first, int calls)
        {
            long start = Stopwatch.GetTimestamp();
            double cpu = ThreadCpuClock.Nanoseconds();
            for (int i = first; i < first + calls; i++)
                predict(rows[i % rows.Length]);
            return (Stopwatch.GetElapsedTime(start).TotalMicroseconds / calls, (ThreadCpuClock.Nanoseconds() - cpu) / 1000 / calls);
        }

        /// <summary>What the fresh processes measured (medians): milliseconds to the first prediction, whether a TorchSharp
        /// native library was loaded, and microseconds per call of the cold and the warm calls, wall and CPU time.</summary>
        public readonly record struct ColdStart(double FirstMilliseconds, bool NativeLibraryLoaded, double ColdWall, double ColdCpu, double WarmWall, double WarmCpu)
        {
            /// <summary>"cold X µs, warm Y µs, Zx" in wall time, then in CPU time.</summary>
            public string Describe() => string.Create(CultureInfo.InvariantCulture,
                $"cold {ColdWall:F2} µs, warm {WarmWall:F2} µs: {ColdWall / WarmWall:F2}x (CPU time: cold {ColdCpu:F2} µs, warm {WarmCpu:F2} µs: {ColdCpu / WarmCpu:F2}x)");
        }
    }
}
