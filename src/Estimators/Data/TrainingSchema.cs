using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The training columns, checked: the label (a key for a multiclass classifier, a <see cref="bool"/> for a binary
    /// classifier, a <see cref="float"/> for a regressor), a known-size vector of float features, an optional float weight.
    /// </summary>
    internal sealed class TrainingSchema
    {
        private const string KeyLabelExpected = "a key type (convert the label with mlContext.Transforms.Conversion.MapValueToKey)";
        private const string FloatLabelExpected = "Single (convert the label with mlContext.Transforms.Conversion.ConvertType)";
        private const string BooleanLabelExpected = "Boolean (convert a 0/1 label with mlContext.Transforms.Conversion.ConvertType(..., outputKind: DataKind.Boolean))";
        private const string FeatureExpected = "a known-size vector of Single";

        public DataViewSchema.Column Label { get; private init; }

        public DataViewSchema.Column Feature { get; private init; }

        public DataViewSchema.Column? Weight { get; private init; }

        /// <summary>What the label says the model predicts.</summary>
        public BnMlpModelKind Kind { get; private init; }

        /// <summary>Units of the output layer: the label's key count, or 1 (a binary logit, a regression value).</summary>
        public int OutputCount { get; private init; }

        public int FeatureCount { get; private init; }

        public static TrainingSchema Check(IExceptionContext ectx, DataViewSchema schema, BnMlpOptionsBase options, BnMlpModelKind kind)
        {
            var label = schema.GetColumnOrNull(options.LabelColumnName)
                ?? throw ectx.ExceptSchemaMismatch("data", "label", options.LabelColumnName);
            int outputCount = 1;
            if (kind == BnMlpModelKind.Multiclass)
            {
                if (label.Type is not KeyDataViewType key)
                    throw ectx.ExceptSchemaMismatch("data", "label", label.Name, KeyLabelExpected, label.Type.ToString());
                if (key.Count < 2 || key.Count > int.MaxValue)
                    throw ectx.ExceptSchemaMismatch("data", "label", label.Name, "a key type with 2 or more values", label.Type.ToString());
                outputCount = (int)key.Count;
            }
            else if (kind == BnMlpModelKind.Binary)
            {
                if (label.Type != BooleanDataViewType.Instance)
                    throw ectx.ExceptSchemaMismatch("data", "label", label.Name, BooleanLabelExpected, label.Type.ToString());
            }
            else if (label.Type != NumberDataViewType.Single)
            {
                throw ectx.ExceptSchemaMismatch("data", "label", label.Name, FloatLabelExpected, label.Type.ToString());
            }

            var feature = schema.GetColumnOrNull(options.FeatureColumnName)
                ?? throw ectx.ExceptSchemaMismatch("data", "feature", options.FeatureColumnName);
            if (feature.Type is not VectorDataViewType { ItemType: NumberDataViewType itemType, Size: > 0 } vector || itemType != NumberDataViewType.Single)
                throw ectx.ExceptSchemaMismatch("data", "feature", feature.Name, FeatureExpected, feature.Type.ToString());

            DataViewSchema.Column? weight = null;
            if (options.ExampleWeightColumnName != null)
            {
                var column = schema.GetColumnOrNull(options.ExampleWeightColumnName)
                    ?? throw ectx.ExceptSchemaMismatch("data", "example weight", options.ExampleWeightColumnName);
                if (column.Type != NumberDataViewType.Single)
                    throw ectx.ExceptSchemaMismatch("data", "example weight", column.Name, "Single", column.Type.ToString());
                weight = column;
            }

            return new TrainingSchema
            {
                Label = label,
                Feature = feature,
                Weight = weight,
                Kind = kind,
                OutputCount = outputCount,
                FeatureCount = vector.Size,
            };
        }
    }
}
