using System;
using System.Collections.Generic;
using System.Diagnostics;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>Medians of repeated timings after warm-up, collected into a printed table.</summary>
    internal sealed class ResultTable
    {
        private const int WarmUpCalls = 30_000; // enough for the JIT's final tier

        private readonly List<string> _lines = [];

        /// <summary>Median microseconds per call of <paramref name="call"/> (given the call number), and bytes allocated per call.</summary>
        public double Latency(string name, int rounds, int callsPerRound, Action<int> call)
        {
            for (int i = 0; i < WarmUpCalls; i++)
                call(i);
            var perCall = new double[rounds];
            long allocated = GC.GetAllocatedBytesForCurrentThread();
            for (int r = 0; r < rounds; r++)
            {
                long start = Stopwatch.GetTimestamp();
                for (int i = 0; i < callsPerRound; i++)
                    call(r * callsPerRound + i);
                perCall[r] = Stopwatch.GetElapsedTime(start).TotalMicroseconds / callsPerRound;
            }
            double bytesPerCall = (GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)(rounds * callsPerRound);
            double median = Median(perCall);
            _lines.Add($"| {name} | {median:F2} µs | {bytesPerCall:F0} B |");
            return median;
        }

        /// <summary>Median rows per second of <paramref name="pass"/>, which returns the rows it processed.</summary>
        public double Throughput(string name, int rounds, Func<int> pass)
        {
            pass();
            var rowsPerSecond = new double[rounds];
            for (int r = 0; r < rounds; r++)
            {
                long start = Stopwatch.GetTimestamp();
                int rows = pass();
                rowsPerSecond[r] = rows / Stopwatch.GetElapsedTime(start).TotalSeconds;
            }
            double median = Median(rowsPerSecond);
            _lines.Add($"| {name} | {median:N0} rows/s | |");
            return median;
        }

        public void Print()
        {
            Console.WriteLine("| path | median | allocated per call |");
            Console.WriteLine("|---|---|---|");
            foreach (var line in _lines)
                Console.WriteLine(line);
        }

        private static double Median(double[] values)
        {
            Array.Sort(values);
            return values[values.Length / 2];
        }
    }
}
