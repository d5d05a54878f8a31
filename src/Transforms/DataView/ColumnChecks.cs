using System;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The column rules of training and scoring, in one place, so that a fault gets the same words wherever it is found:
    /// the trainers' <c>GetOutputSchema</c> (on a <see cref="SchemaShape"/>), <c>Fit</c> (on the data's schema), the
    /// transformers' <c>Transform</c> and <c>GetOutputSchema</c>, and the row-by-row length check. Each message names the
    /// column's role and name, what was expected and what was found (ML.NET's <c>ExceptSchemaMismatch</c> wording:
    /// <c>Could not find label column 'Label'</c>, <c>Schema mismatch for label column 'Label': expected ..., got ...</c>).
    /// Each check takes the name of the caller's parameter holding the schema (<c>inputSchema</c>, <c>data</c>), which
    /// the exception reports as its <see cref="ArgumentException.ParamName"/>.
    /// </summary>
    internal static class ColumnChecks
    {
        private const string LabelRole = "label";
        private const string FeatureRole = "feature";
        private const string WeightRole = "example weight";

        /// <summary>What training needs in the feature column; scoring also accepts a vector of unknown size.</summary>
        private const string KnownSizeFeatures = "a known-size vector of Single";

        private const string KeyLabelWithClasses = "a key type with 2 or more values";

        /// <summary>What the label must be for a model of <paramref name="kind"/>, with the conversion that makes it so.</summary>
        private static string LabelExpected(BnMlpModelKind kind) => kind switch
        {
            BnMlpModelKind.Multiclass => "a key type (convert the label with mlContext.Transforms.Conversion.MapValueToKey)",
            BnMlpModelKind.Binary => "Boolean (convert a 0/1 label with mlContext.Transforms.Conversion.ConvertType(..., outputKind: DataKind.Boolean))",
            _ => "Single (convert the label with mlContext.Transforms.Conversion.ConvertType)",
        };

        /// <summary>What scoring needs in the feature column of a model reading <paramref name="inputCount"/> features.</summary>
        private static string FeaturesExpected(int inputCount) => $"a vector of {inputCount} Single values";

        /// <summary>A row whose feature vector has another length than the model's (a column of unknown vector size is
        /// only checked row by row).</summary>
        public static string RowLengthMismatch(string featureColumn, long position, int expected, int found) =>
            $"Feature column '{featureColumn}', row {position}: expected a vector of {expected} values, found {found}.";

        /// <summary>The label column of a trainer's input shape, checked for <paramref name="kind"/>.</summary>
        public static SchemaShape.Column CheckLabel(IExceptionContext ectx, string parameter, SchemaShape schema, string name, BnMlpModelKind kind)
        {
            var label = Find(ectx, parameter, schema, LabelRole, name);
            bool fits = label.Kind == SchemaShape.Column.VectorKind.Scalar && kind switch
            {
                BnMlpModelKind.Multiclass => label.IsKey,
                BnMlpModelKind.Binary => label.ItemType == BooleanDataViewType.Instance,
                _ => label.ItemType == NumberDataViewType.Single,
            };
            if (!fits)
                throw ectx.ExceptSchemaMismatch(parameter, LabelRole, label.Name, LabelExpected(kind), label.GetTypeString());
            return label;
        }

        /// <summary>The feature column of a trainer's input shape: a known-size vector of Single.</summary>
        public static SchemaShape.Column CheckFeatures(IExceptionContext ectx, string parameter, SchemaShape schema, string name)
        {
            var feature = Find(ectx, parameter, schema, FeatureRole, name);
            if (feature.Kind != SchemaShape.Column.VectorKind.Vector || feature.ItemType != NumberDataViewType.Single)
                throw ectx.ExceptSchemaMismatch(parameter, FeatureRole, feature.Name, KnownSizeFeatures, feature.GetTypeString());
            return feature;
        }

        /// <summary>The label column of the training data, checked for <paramref name="kind"/>; a key label needs at
        /// least two values.</summary>
        public static DataViewSchema.Column CheckLabel(IExceptionContext ectx, string parameter, DataViewSchema schema, string name, BnMlpModelKind kind)
        {
            var label = Find(ectx, parameter, schema, LabelRole, name);
            bool fits = kind switch
            {
                BnMlpModelKind.Multiclass => label.Type is KeyDataViewType,
                BnMlpModelKind.Binary => label.Type == BooleanDataViewType.Instance,
                _ => label.Type == NumberDataViewType.Single,
            };
            if (!fits)
                throw ectx.ExceptSchemaMismatch(parameter, LabelRole, label.Name, LabelExpected(kind), label.Type.ToString());
            if (label.Type is KeyDataViewType key && (key.Count < 2 || key.Count > int.MaxValue))
                throw ectx.ExceptSchemaMismatch(parameter, LabelRole, label.Name, KeyLabelWithClasses, label.Type.ToString());
            return label;
        }

        /// <summary>The feature column of the training data: a known-size vector of Single. Returns its size.</summary>
        public static (DataViewSchema.Column Column, int Size) CheckTrainingFeatures(IExceptionContext ectx, string parameter, DataViewSchema schema, string name)
        {
            var feature = Find(ectx, parameter, schema, FeatureRole, name);
            if (feature.Type is not VectorDataViewType { ItemType: NumberDataViewType itemType, Size: > 0 } vector || itemType != NumberDataViewType.Single)
                throw ectx.ExceptSchemaMismatch(parameter, FeatureRole, feature.Name, KnownSizeFeatures, feature.Type.ToString());
            return (feature, vector.Size);
        }

        /// <summary>The feature column scored by a model reading <paramref name="inputCount"/> features: a vector of Single
        /// of that size, or of unknown size (then each row is checked as it is read).</summary>
        public static DataViewSchema.Column CheckScoringFeatures(IExceptionContext ectx, string parameter, DataViewSchema schema, string name, int inputCount)
        {
            var feature = Find(ectx, parameter, schema, FeatureRole, name);
            if (feature.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single
                || (vector.Size != 0 && vector.Size != inputCount))
                throw ectx.ExceptSchemaMismatch(parameter, FeatureRole, feature.Name, FeaturesExpected(inputCount), feature.Type.ToString());
            return feature;
        }

        /// <summary>The example weight column of the training data: Single.</summary>
        public static DataViewSchema.Column CheckWeight(IExceptionContext ectx, string parameter, DataViewSchema schema, string name)
        {
            var weight = Find(ectx, parameter, schema, WeightRole, name);
            if (weight.Type != NumberDataViewType.Single)
                throw ectx.ExceptSchemaMismatch(parameter, WeightRole, weight.Name, "Single", weight.Type.ToString());
            return weight;
        }

        private static SchemaShape.Column Find(IExceptionContext ectx, string parameter, SchemaShape schema, string role, string name) =>
            schema.TryFindColumn(name, out var column) ? column : throw ectx.ExceptSchemaMismatch(parameter, role, name);

        private static DataViewSchema.Column Find(IExceptionContext ectx, string parameter, DataViewSchema schema, string role, string name) =>
            schema.GetColumnOrNull(name) ?? throw ectx.ExceptSchemaMismatch(parameter, role, name);
    }
}
