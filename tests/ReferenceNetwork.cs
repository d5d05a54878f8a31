using System;
using System.Linq;
using MLNet.BatchNorm.TestSupport;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>Class probabilities from <see cref="ReferenceForward"/>: the unfolded double-precision logits, softmaxed.</summary>
    internal static class ReferenceNetwork
    {
        public static double[] Probabilities(BnMlpModelParameters model, float[] features)
        {
            double[] logits = ReferenceForward.PreActivations(model, features)[^1];
            double max = logits.Max();
            var exp = logits.Select(v => Math.Exp(v - max)).ToArray();
            double total = exp.Sum();
            return exp.Select(v => v / total).ToArray();
        }
    }
}
