using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;
using MLNet.BatchNorm;

[assembly: LoadableClass(typeof(BnMlpRegressionTransformer), null, typeof(SignatureLoadModel),
    "BN-MLP regressor", BnMlpRegressionTransformer.LoaderSignature)]

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Scores rows with a trained BN-MLP regressor: appends <c>Score</c>, a <see cref="float"/>, as ML.NET's regression
    /// trainers do (so <c>mlContext.Regression.Evaluate</c> reads it). Inference is managed code; saved in the standard
    /// ML.NET model zip.
    /// </summary>
    public sealed class BnMlpRegressionTransformer : BnMlpTransformerBase
    {
        internal const string LoaderSignature = "BnMlpRegressionTransform";

        internal BnMlpRegressionTransformer(IHostEnvironment env, BnMlpModelParameters model, string featureColumnName)
            : base(env, nameof(BnMlpRegressionTransformer), model, featureColumnName)
        {
        }

        private protected override ModelEntryFormat Format => ModelEntryFormat.Regressor;

        /// <summary><c>Score</c>: the output unit's value, [N, 1].</summary>
        private protected override void SaveOnnxScores(OnnxContext ctx, string outputLayer, DataViewSchema outputSchema) =>
            BnMlpOnnxGraph.AddNodeInto(ctx, "Identity", [outputLayer], AddOnnxColumn(ctx, outputSchema, DefaultColumnNames.Score));

        internal static BnMlpRegressionTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
        {
            Contracts.CheckValue(env, nameof(env));
            env.CheckValue(ctx, nameof(ctx));
            var (featureColumnName, model) = LoadCore(ctx, ModelEntryFormat.Regressor);
            return new BnMlpRegressionTransformer(env, model, featureColumnName);
        }
    }
}
