using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>The part of the trainers' <c>GetOutputSchema</c> they share.</summary>
    internal static class TrainerSchemaShape
    {
        /// <summary>Checks the feature column (a known-size vector of float) and returns the input columns by name, to which
        /// the trainer adds its score columns.</summary>
        public static Dictionary<string, SchemaShape.Column> CheckFeatures(IExceptionContext ectx, SchemaShape inputSchema, string featureColumnName)
        {
            if (!inputSchema.TryFindColumn(featureColumnName, out var feature))
                throw ectx.ExceptSchemaMismatch(nameof(inputSchema), "feature", featureColumnName);
            if (feature.Kind != SchemaShape.Column.VectorKind.Vector || feature.ItemType != NumberDataViewType.Single)
                throw ectx.ExceptSchemaMismatch(nameof(inputSchema), "feature", feature.Name, "a known-size vector of Single", feature.GetTypeString());
            return inputSchema.ToDictionary(c => c.Name);
        }
    }
}
