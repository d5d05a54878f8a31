using System;
using System.Linq;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>Entry point: the first argument picks the benchmark, the rest go to it.</summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            string mode = args.FirstOrDefault();
            string[] rest = args.Skip(1).ToArray();
            switch (mode)
            {
                case "inference":
                    return InferenceBench.Run(rest);
                case "benchmarkdotnet":
                    return InferenceBenchmarks.Run(quick: rest.Contains("--quick"));
                case "training":
                    return TrainingBench.Run(rest);
                case "time-to-accuracy":
                    return TimeToAccuracy.Run(rest);
                case "streaming":
                    return StreamingBench.Run(rest);
                case "tabular-defaults":
                    return TabularDefaults.Run(rest);
                default:
                    Console.Error.WriteLine("usage: dotnet run --project bench -c Release -- inference|benchmarkdotnet|training|time-to-accuracy|streaming|tabular-defaults [--quick] [options]");
                    return 2;
            }
        }
    }
}
