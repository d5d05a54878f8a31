using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The training columns, checked by <see cref="ColumnChecks"/>: the label (a key for a multiclass classifier, a
    /// <see cref="bool"/> for a binary classifier, a <see cref="float"/> for a regressor), a known-size vector of float
    /// features, an optional float weight.
    /// </summary>
    internal sealed class TrainingSchema
    {
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
            var label = ColumnChecks.CheckLabel(ectx, "data", schema, options.LabelColumnName, kind);
            var (feature, featureCount) = ColumnChecks.CheckTrainingFeatures(ectx, "data", schema, options.FeatureColumnName);
            DataViewSchema.Column? weight = options.ExampleWeightColumnName is { } weightName
                ? ColumnChecks.CheckWeight(ectx, "data", schema, weightName)
                : null;
            return new TrainingSchema
            {
                Label = label,
                Feature = feature,
                Weight = weight,
                Kind = kind,
                // ColumnChecks has checked that a key label's value count fits an int.
                OutputCount = kind == BnMlpModelKind.Multiclass ? (int)((KeyDataViewType)label.Type).Count : 1,
                FeatureCount = featureCount,
            };
        }
    }
}
