using System;
using System.Linq;
using Microsoft.ML.Data;

namespace MLNet.BatchNorm.TestSupport
{
    /// <summary>One point of the regression toy: x, and y = x² - 5 + noise.</summary>
    public sealed class CurvePoint
    {
        /// <summary>x, as a one-value feature vector.</summary>
        [VectorType(1)]
        public float[] Features { get; set; }

        /// <summary>y.</summary>
        public float Label { get; set; }
    }

    /// <summary>What the regressor predicts for a point.</summary>
    public sealed class CurvePrediction
    {
        /// <summary>The predicted y.</summary>
        public float Score { get; set; }
    }

    /// <summary>The BN tutorial's regression toy: x evenly spaced in [-7, 10], y = x² - 5 + N(0, noise²).</summary>
    public static class ToyCurve
    {
        public const float Low = -7, High = 10;

        /// <param name="count">Number of points.</param>
        /// <param name="noise">Standard deviation of the noise added to y.</param>
        /// <param name="seed">Seed of the noise.</param>
        public static CurvePoint[] Generate(int count, double noise, int seed)
        {
            var random = new Random(seed);
            return Enumerable.Range(0, count).Select(i =>
            {
                double x = Low + (High - Low) * i / (count - 1);
                double gaussian = Math.Sqrt(-2.0 * Math.Log(1.0 - random.NextDouble())) * Math.Cos(2.0 * Math.PI * random.NextDouble());
                return new CurvePoint { Features = [(float)x], Label = (float)(x * x - 5 + noise * gaussian) };
            }).ToArray();
        }
    }
}
