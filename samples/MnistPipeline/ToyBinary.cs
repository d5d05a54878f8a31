using System;
using System.Linq;
using Microsoft.ML.Data;

namespace MnistPipeline
{
    /// <summary>One row of the binary toy: eight features and a Boolean label.</summary>
    public sealed class BinaryPoint
    {
        /// <summary>x0 .. x7, standard normal; x5, x6 and x7 are noise.</summary>
        [VectorType(ToyBinary.FeatureCount)]
        public float[] Features { get; set; }

        /// <summary>Drawn true with probability sigmoid(<see cref="ToyBinary.Logit"/>).</summary>
        public bool Label { get; set; }

        /// <summary>Example weight: 1 unless the caller changes it.</summary>
        public float Weight { get; set; } = 1;
    }

    /// <summary>What a binary classifier gives for a row: ML.NET's three columns.</summary>
    public sealed class BinaryPrediction
    {
        /// <summary>The raw score (the logit).</summary>
        public float Score { get; set; }

        /// <summary>The probability of true.</summary>
        public float Probability { get; set; }

        /// <summary>Whether the score is positive.</summary>
        public bool PredictedLabel { get; set; }
    }

    /// <summary>
    /// A binary task that a linear model cannot solve: the label is true with probability sigmoid(logit), where the logit
    /// mixes an interaction, a sine, a square and one linear term of five standard normal features; three more features
    /// are noise. The known probability of every row makes calibration measurable.
    /// </summary>
    public static class ToyBinary
    {
        public const int FeatureCount = 8;

        /// <summary>The index of the purely linear informative feature, x4.</summary>
        public const int LinearFeature = 4;

        /// <summary>The index of a noise feature, x7.</summary>
        public const int NoiseFeature = 7;

        /// <param name="count">Number of rows.</param>
        /// <param name="seed">Seed of the features and labels.</param>
        /// <param name="intercept">Added to every logit: -3.5 makes about one row in six positive.</param>
        public static BinaryPoint[] Generate(int count, int seed, double intercept = 0)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(_ =>
            {
                var x = Enumerable.Range(0, FeatureCount).Select(_ => (float)Normal(random)).ToArray();
                double probability = 1 / (1 + Math.Exp(-(intercept + Logit(x))));
                return new BinaryPoint { Features = x, Label = random.NextDouble() < probability };
            }).ToArray();
        }

        /// <summary>2 x0 x1 + 2 sin(2 x2) + (x3² - 1) + 1.5 x4, before the intercept.</summary>
        public static double Logit(float[] x) => 2 * x[0] * x[1] + 2 * Math.Sin(2 * x[2]) + (x[3] * x[3] - 1) + 1.5 * x[4];

        private static double Normal(Random random) =>
            Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
    }
}
