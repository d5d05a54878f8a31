using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>The training columns, checked: a key label, a known-size float vector of features, an optional float weight.</summary>
    internal sealed class TrainingSchema
    {
        private const string LabelExpected = "a key type (convert the label with mlContext.Transforms.Conversion.MapValueToKey)";
        private const string FeatureExpected = "a known-size vector of Single";

        public DataViewSchema.Column Label { get; private init; }

        public DataViewSchema.Column Feature { get; private init; }

        public DataViewSchema.Column? Weight { get; private init; }

        public int ClassCount { get; private init; }

        public int FeatureCount { get; private init; }

        public static TrainingSchema Check(IExceptionContext ectx, DataViewSchema schema, BnMlpTrainer.Options options)
        {
            var label = schema.GetColumnOrNull(options.LabelColumnName)
                ?? throw ectx.ExceptSchemaMismatch("data", "label", options.LabelColumnName);
            if (label.Type is not KeyDataViewType key)
                throw ectx.ExceptSchemaMismatch("data", "label", label.Name, LabelExpected, label.Type.ToString());
            if (key.Count < 2 || key.Count > int.MaxValue)
                throw ectx.ExceptSchemaMismatch("data", "label", label.Name, "a key type with 2 or more values", label.Type.ToString());

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
                ClassCount = (int)key.Count,
                FeatureCount = vector.Size,
            };
        }
    }
}
