using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Reflection;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>Values for some fields of a trainer's Options class, as a <see cref="SearchSpace"/> draws them; fields not
    /// listed keep the trainer's defaults.</summary>
    public sealed class Hyperparameters
    {
        /// <summary>No values: the trainer's defaults.</summary>
        public static Hyperparameters Defaults { get; } = new([]);

        /// <summary>Creates a set of values.</summary>
        /// <param name="values">Option field names and their values.</param>
        public Hyperparameters(IEnumerable<KeyValuePair<string, object>> values)
        {
            ArgumentNullException.ThrowIfNull(values);
            Values = values.ToArray();
        }

        /// <summary>The option field names and their values, in drawing order.</summary>
        public IReadOnlyList<KeyValuePair<string, object>> Values { get; }

        /// <summary>Sets each listed public field of <paramref name="options"/>: a number is rounded for an integer field and
        /// converted for a floating-point one (nullable fields too), a comma-separated text becomes an <c>int[]</c>.</summary>
        /// <exception cref="ArgumentException">A name is no public field of the options, or a value does not fit its type.</exception>
        public void ApplyTo(object options)
        {
            ArgumentNullException.ThrowIfNull(options);
            foreach (var (name, value) in Values)
            {
                var field = options.GetType().GetField(name, BindingFlags.Public | BindingFlags.Instance)
                    ?? throw new ArgumentException($"{options.GetType().FullName} has no public field '{name}'.", nameof(options));
                field.SetValue(options, Convert(value, field.FieldType, name));
            }
        }

        /// <summary>"defaults", or the values as "Name=value" separated by spaces.</summary>
        public override string ToString() =>
            Values.Count == 0 ? "defaults" : string.Join(" ", Values.Select(v => $"{v.Key}={Format(v.Value)}"));

        internal static string Format(object value) => value switch
        {
            double d => d.ToString("G3", CultureInfo.InvariantCulture),
            float f => f.ToString("G3", CultureInfo.InvariantCulture),
            _ => System.Convert.ToString(value, CultureInfo.InvariantCulture),
        };

        private static object Convert(object value, Type fieldType, string name)
        {
            var type = Nullable.GetUnderlyingType(fieldType) ?? fieldType;
            if (type.IsInstanceOfType(value))
                return value;
            if (type == typeof(int[]) && value is string sizes)
                return sizes.Split(',').Select(s => int.Parse(s, NumberStyles.Integer, CultureInfo.InvariantCulture)).ToArray();
            if (value is IConvertible && value is not string && value is not bool && !type.IsEnum)
            {
                double number = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (type == typeof(int))
                    return (int)Math.Round(number);
                if (type == typeof(float))
                    return (float)number;
                if (type == typeof(double))
                    return number;
            }
            throw new ArgumentException($"Option {name}: a value {Format(value)} ({value?.GetType().Name ?? "null"}) does not fit a field of type {fieldType.Name}.", nameof(value));
        }
    }
}
