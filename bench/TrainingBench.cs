using System;

namespace MLNet.BatchNorm.Bench
{
    internal static class TrainingBench
    {
        public static int Run(string[] args) => throw new NotImplementedException("Training benchmark: being written.");
    }
}
