using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>
    /// The options a random search draws, each a public field of a trainer's Options class: a range (uniform, or
    /// log-uniform for rates spanning orders of magnitude; integer fields are rounded) or a list of choices. The same
    /// idea as <see cref="TuningRangeAttribute"/> and <see cref="TuningChoicesAttribute"/> on BnMlp's options, declared
    /// in code for trainers whose Options classes are not this library's.
    /// </summary>
    public sealed class SearchSpace
    {
        private readonly List<SearchDimension> _dimensions = [];

        /// <summary>The options drawn, in the order they are drawn.</summary>
        public IReadOnlyList<SearchDimension> Dimensions => _dimensions;

        /// <summary>Draws <paramref name="option"/> from [<paramref name="minimum"/>, <paramref name="maximum"/>].</summary>
        /// <returns>This space, to chain declarations.</returns>
        public SearchSpace Range(string option, double minimum, double maximum, bool logScale = false)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(option);
            if (!(minimum <= maximum) || (logScale && !(minimum > 0)))
                throw new ArgumentOutOfRangeException(nameof(minimum), minimum,
                    $"Option {option}: the range needs minimum <= maximum ({maximum}){(logScale ? " and a positive minimum for a log scale" : "")}.");
            _dimensions.Add(new SearchDimension(option, minimum, maximum, logScale, null));
            return this;
        }

        /// <summary>Picks <paramref name="option"/> from <paramref name="choices"/> with equal probability. For an
        /// <c>int[]</c> field each choice is a comma-separated list, e.g. "256,128".</summary>
        /// <returns>This space, to chain declarations.</returns>
        public SearchSpace Choices(string option, params object[] choices)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(option);
            if (choices is not { Length: > 0 })
                throw new ArgumentException($"Option {option}: give at least one choice.", nameof(choices));
            _dimensions.Add(new SearchDimension(option, double.NaN, double.NaN, false, choices));
            return this;
        }

        /// <summary>The space the <see cref="TuningRangeAttribute"/> and <see cref="TuningChoicesAttribute"/> fields of
        /// <paramref name="optionsType"/> declare, in field order.</summary>
        public static SearchSpace FromAttributes(Type optionsType)
        {
            ArgumentNullException.ThrowIfNull(optionsType);
            var space = new SearchSpace();
            foreach (var field in optionsType.GetFields())
            {
                if (field.GetCustomAttribute<TuningChoicesAttribute>() is { } choices)
                    space.Choices(field.Name, choices.Choices);
                else if (field.GetCustomAttribute<TuningRangeAttribute>() is { } range)
                    space.Range(field.Name, range.Minimum, range.Maximum, range.LogScale);
            }
            return space;
        }

        /// <summary>Draws one value per dimension, in order: a choice takes one <see cref="Random.Next(int)"/>, a range one
        /// <see cref="Random.NextDouble"/>, so the same seed gives the same sequence of candidates.</summary>
        public Hyperparameters Sample(Random random)
        {
            ArgumentNullException.ThrowIfNull(random);
            var values = new List<KeyValuePair<string, object>>();
            foreach (var d in _dimensions)
            {
                object value;
                if (d.Choices != null)
                {
                    value = d.Choices[random.Next(d.Choices.Count)];
                }
                else
                {
                    double u = random.NextDouble();
                    value = d.LogScale
                        ? Math.Exp(Math.Log(d.Minimum) + u * (Math.Log(d.Maximum) - Math.Log(d.Minimum)))
                        : d.Minimum + u * (d.Maximum - d.Minimum);
                }
                values.Add(new(d.Option, value));
            }
            return new Hyperparameters(values);
        }

        /// <summary>Checks that every dimension names a public field of <paramref name="optionsType"/> whose type a
        /// drawn value converts to.</summary>
        /// <exception cref="ArgumentException">A dimension names no such field, or its values do not fit the field's type.</exception>
        public void Check(Type optionsType)
        {
            ArgumentNullException.ThrowIfNull(optionsType);
            var options = Activator.CreateInstance(optionsType);
            foreach (var d in _dimensions)
            {
                var samples = d.Choices ?? [d.Minimum, d.Maximum];
                foreach (var value in samples)
                    new Hyperparameters([new(d.Option, value)]).ApplyTo(options);
            }
        }
    }

    /// <summary>One option of a <see cref="SearchSpace"/>: a range or a list of choices.</summary>
    public sealed class SearchDimension
    {
        internal SearchDimension(string option, double minimum, double maximum, bool logScale, object[] choices)
        {
            Option = option;
            Minimum = minimum;
            Maximum = maximum;
            LogScale = logScale;
            Choices = choices;
        }

        /// <summary>The Options field set.</summary>
        public string Option { get; }

        /// <summary>Smallest value of a range; NaN for choices.</summary>
        public double Minimum { get; }

        /// <summary>Largest value of a range; NaN for choices.</summary>
        public double Maximum { get; }

        /// <summary>A range drawn log-uniformly.</summary>
        public bool LogScale { get; }

        /// <summary>The choices; null for a range.</summary>
        public IReadOnlyList<object> Choices { get; }

        /// <inheritdoc/>
        public override string ToString() => Choices != null
            ? $"{Option} in {{{string.Join(", ", Choices.Select(Hyperparameters.Format))}}}"
            : string.Create(CultureInfo.InvariantCulture, $"{Option} in [{Minimum:G4}, {Maximum:G4}]{(LogScale ? " log" : "")}");
    }
}
