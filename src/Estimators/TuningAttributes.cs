using System;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The range a hyperparameter search draws an option from (uniformly, or log-uniformly with <see cref="LogScale"/>);
    /// integer options are rounded. Read by <c>BnMlpSearch</c> in MLNet.BatchNorm.Comparison.
    /// </summary>
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class TuningRangeAttribute : Attribute
    {
        /// <summary>Declares the range [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
        public TuningRangeAttribute(double minimum, double maximum)
        {
            Minimum = minimum;
            Maximum = maximum;
        }

        /// <summary>Smallest value tried.</summary>
        public double Minimum { get; }

        /// <summary>Largest value tried.</summary>
        public double Maximum { get; }

        /// <summary>Draw the logarithm uniformly (for rates spanning orders of magnitude).</summary>
        public bool LogScale { get; set; }
    }

    /// <summary>
    /// The values a hyperparameter search picks an option from, with equal probability. For
    /// <see cref="BnMlpOptionsBase.HiddenLayerSizes"/> each choice is a comma-separated list of sizes.
    /// </summary>
    [AttributeUsage(AttributeTargets.Field)]
    public sealed class TuningChoicesAttribute : Attribute
    {
        /// <summary>Declares the choices.</summary>
        public TuningChoicesAttribute(params object[] choices) => Choices = choices;

        /// <summary>The values tried.</summary>
        public object[] Choices { get; }
    }
}
