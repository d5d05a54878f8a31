using System;

namespace MLNet.BatchNorm.Bench
{
    internal static class InferenceBench
    {
        public static int Run(string[] args) => throw new NotImplementedException("Inference benchmark: being written.");
    }
}
