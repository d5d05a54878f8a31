using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>
    /// The "workout" ML.NET runs every estimator through (<c>TestEstimatorCore</c> in its test framework,
    /// test/Microsoft.ML.TestFramework/DataPipe/TestDataPipeBase.cs), for any estimator:
    /// <list type="bullet">
    /// <item>the estimator accepts <c>validFitInput</c> (and <c>validForFitNotValidForTransformInput</c>) and refuses
    /// <c>validTransformInput</c> and <c>invalidInput</c>, in <c>GetOutputSchema</c> and in <c>Fit</c>;</item>
    /// <item>the fitted transformer accepts <c>validFitInput</c> and <c>validTransformInput</c> and refuses the other two;</item>
    /// <item>the transformer saved and loaded gives the same schema, annotations included, and the same values;</item>
    /// <item>its row-to-row mapper, its <c>GetOutputSchema</c> and its <c>Transform</c> agree on the schema;</item>
    /// <item>the estimator's promised schema has exactly the transformer's columns, with the same annotations. ML.NET checks
    /// only that every annotation delivered is promised; this also checks that every promised one is delivered, which
    /// ML.NET's own trainers satisfy.</item>
    /// </list>
    /// Refusals must be <see cref="ArgumentOutOfRangeException"/> or <see cref="InvalidOperationException"/>, as ML.NET's
    /// schema-mismatch and data errors are.
    /// </summary>
    internal static class EstimatorWorkout
    {
        public static void Run<TTransformer>(MLContext ml, IEstimator<TTransformer> estimator, IDataView validFitInput,
            IDataView validTransformInput = null, IDataView invalidInput = null, IDataView validForFitNotValidForTransformInput = null)
            where TTransformer : ITransformer
        {
            var promised = estimator.GetOutputSchema(SchemaShape.Create(validFitInput.Schema));
            if (validTransformInput != null)
            {
                MustFail("estimator.GetOutputSchema(validTransformInput)", () => estimator.GetOutputSchema(SchemaShape.Create(validTransformInput.Schema)));
                MustFail("estimator.Fit(validTransformInput)", () => estimator.Fit(validTransformInput));
            }
            if (invalidInput != null)
            {
                MustFail("estimator.GetOutputSchema(invalidInput)", () => estimator.GetOutputSchema(SchemaShape.Create(invalidInput.Schema)));
                MustFail("estimator.Fit(invalidInput)", () => estimator.Fit(invalidInput));
            }
            if (validForFitNotValidForTransformInput != null)
            {
                estimator.GetOutputSchema(SchemaShape.Create(validForFitNotValidForTransformInput.Schema));
                estimator.Fit(validForFitNotValidForTransformInput);
            }

            ITransformer transformer = estimator.Fit(validFitInput);
            var saved = new MemoryStream();
            ml.Model.Save(transformer, validFitInput.Schema, saved);
            var loaded = ml.Model.Load(new MemoryStream(saved.ToArray()), out _);

            void CheckOnData(IDataView data, string role)
            {
                var schema = transformer.GetOutputSchema(data.Schema);
                if (transformer.IsRowToRowMapper)
                {
                    var mapper = transformer.GetRowToRowMapper(data.Schema);
                    Assert.True(ReferenceEquals(mapper.InputSchema, data.Schema), $"{role}: the row-to-row mapper's input schema is not the input's");
                    CheckSameSchemas(schema, mapper.OutputSchema, $"{role}: GetOutputSchema and the row-to-row mapper");
                }
                else
                {
                    MustFail($"{role}: GetRowToRowMapper of a transformer that is not a row-to-row mapper", () => transformer.GetRowToRowMapper(data.Schema));
                }
                CheckSameSchemas(schema, loaded.GetOutputSchema(data.Schema), $"{role}: GetOutputSchema of the fitted and the loaded transformer");
                var scored = transformer.Transform(data);
                var scoredByLoaded = loaded.Transform(data);
                CheckSameSchemas(schema, scored.Schema, $"{role}: GetOutputSchema and Transform");
                CheckSameSchemas(scored.Schema, scoredByLoaded.Schema, $"{role}: Transform of the fitted and the loaded transformer");
                CheckSameValues(scored, scoredByLoaded, $"{role}: values of the fitted and the loaded transformer");
            }
            CheckOnData(validFitInput, "validFitInput");
            if (validTransformInput != null)
                CheckOnData(validTransformInput, "validTransformInput");
            foreach (var (bad, role) in new[] { (invalidInput, "invalidInput"), (validForFitNotValidForTransformInput, "validForFitNotValidForTransformInput") })
            {
                if (bad == null)
                    continue;
                MustFail($"transformer.GetOutputSchema({role})", () => transformer.GetOutputSchema(bad.Schema));
                MustFail($"transformer.Transform({role})", () => transformer.Transform(bad));
                MustFail($"loaded.GetOutputSchema({role})", () => loaded.GetOutputSchema(bad.Schema));
                MustFail($"loaded.Transform({role})", () => loaded.Transform(bad));
            }

            CheckSameSchemaShape(promised, SchemaShape.Create(transformer.GetOutputSchema(validFitInput.Schema)));
        }

        private static void MustFail(string what, Action action)
        {
            Exception error = null;
            try
            {
                action();
            }
            catch (Exception e)
            {
                error = e is TargetInvocationException { InnerException: { } inner } ? inner : e;
            }
            Assert.True(error is ArgumentOutOfRangeException or InvalidOperationException,
                $"{what} should fail with ArgumentOutOfRangeException or InvalidOperationException, but {(error == null ? "succeeded" : $"threw {error}")}");
        }

        /// <summary>Every promised column is delivered and no other, with the promised type and annotations.</summary>
        private static void CheckSameSchemaShape(SchemaShape promised, SchemaShape delivered)
        {
            Assert.Equal(promised.OrderBy(c => c.Name).Select(c => c.Name), delivered.OrderBy(c => c.Name).Select(c => c.Name));
            foreach (var (p, d) in promised.OrderBy(c => c.Name).Zip(delivered.OrderBy(c => c.Name)))
            {
                // Each direction checks that the other side has all of this side's annotations.
                Assert.True(d.IsCompatibleWith(p) && p.IsCompatibleWith(d),
                    $"column '{p.Name}': promised {Describe(p)}, delivered {Describe(d)}");
            }
        }

        private static string Describe(SchemaShape.Column column) =>
            $"{column.GetTypeString()} with annotations [{string.Join(", ", column.Annotations.Select(a => $"{a.Name}: {a.GetTypeString()}"))}]";

        private static void CheckSameSchemas(DataViewSchema expected, DataViewSchema actual, string what)
        {
            Assert.True(expected.Count == actual.Count, $"{what}: {expected.Count} against {actual.Count} columns");
            for (int i = 0; i < expected.Count; i++)
            {
                var (e, a) = (expected[i], actual[i]);
                Assert.True(e.Name == a.Name && e.Type.Equals(a.Type) && e.IsHidden == a.IsHidden,
                    $"{what}: column {i} is '{e.Name}' {e.Type}{(e.IsHidden ? " (hidden)" : "")} against '{a.Name}' {a.Type}{(a.IsHidden ? " (hidden)" : "")}");
                var (ea, aa) = (e.Annotations.Schema, a.Annotations.Schema);
                Assert.True(ea.Select(c => (c.Name, c.Type)).SequenceEqual(aa.Select(c => (c.Name, c.Type))),
                    $"{what}: column '{e.Name}' has annotations [{string.Join(", ", ea.Select(c => c.Name))}] against [{string.Join(", ", aa.Select(c => c.Name))}]");
                foreach (var annotation in ea)
                {
                    Assert.True(Equal(AnnotationValue(e.Annotations, annotation), AnnotationValue(a.Annotations, aa[annotation.Index])),
                        $"{what}: column '{e.Name}' annotation {annotation.Name} differs");
                }
            }
        }

        private static void CheckSameValues(IDataView expected, IDataView actual, string what)
        {
            using var left = expected.GetRowCursor(expected.Schema);
            using var right = actual.GetRowCursor(actual.Schema);
            var getters = expected.Schema.Select(c => (c, Getter(left, c), Getter(right, actual.Schema[c.Index]))).ToArray();
            long row = 0;
            while (left.MoveNext())
            {
                Assert.True(right.MoveNext(), $"{what}: fewer rows than {row + 1}");
                foreach (var (column, get, getOther) in getters)
                    Assert.True(Equal(get(), getOther()), $"{what}: row {row}, column '{column.Name}' differs");
                row++;
            }
            Assert.False(right.MoveNext(), $"{what}: more rows than {row}");
        }

        private static Func<object> Getter(DataViewRow row, DataViewSchema.Column column) =>
            (Func<object>)typeof(EstimatorWorkout).GetMethod(nameof(TypedGetter), BindingFlags.NonPublic | BindingFlags.Static)
                .MakeGenericMethod(column.Type.RawType).Invoke(null, [row, column]);

        private static Func<object> TypedGetter<T>(DataViewRow row, DataViewSchema.Column column)
        {
            var getter = row.GetGetter<T>(column);
            return () =>
            {
                T value = default;
                getter(ref value);
                return Comparable(value);
            };
        }

        private static object AnnotationValue(DataViewSchema.Annotations annotations, DataViewSchema.Column column) =>
            typeof(EstimatorWorkout).GetMethod(nameof(TypedAnnotationValue), BindingFlags.NonPublic | BindingFlags.Static)
                .MakeGenericMethod(column.Type.RawType).Invoke(null, [annotations, column]);

        private static object TypedAnnotationValue<T>(DataViewSchema.Annotations annotations, DataViewSchema.Column column)
        {
            T value = default;
            annotations.GetValue(column.Name, ref value);
            return Comparable(value);
        }

        /// <summary>A value that compares by content: a vector as its dense items, text as a string.</summary>
        private static object Comparable<T>(T value) => value switch
        {
            ReadOnlyMemory<char> text => text.ToString(),
            _ when value?.GetType() is { IsGenericType: true } type && type.GetGenericTypeDefinition() == typeof(VBuffer<>) =>
                ((IEnumerable)type.GetMethod(nameof(VBuffer<int>.DenseValues)).Invoke(value, null)).Cast<object>().Select(Comparable).ToArray(),
            _ => value,
        };

        private static bool Equal(object x, object y) => x is object[] xs && y is object[] ys ? xs.SequenceEqual(ys) : Equals(x, y);
    }
}
