using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;
using MLNet.BatchNorm;

[assembly: LoadableClass(typeof(BnMlpBinaryTransformer), null, typeof(SignatureLoadModel),
    "BN-MLP binary classifier", BnMlpBinaryTransformer.LoaderSignature)]

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Scores rows with a trained BN-MLP binary classifier: appends <c>PredictedLabel</c> (<see cref="bool"/>, true when
    /// the score is positive), <c>Score</c> (the network's logit) and <c>Probability</c> (its sigmoid), with the annotations
    /// of ML.NET's calibrated binary trainers, so that <c>mlContext.BinaryClassification.Evaluate</c>, <c>CrossValidate</c>
    /// and <c>PermutationFeatureImportance</c> read them. The network, trained on the log-loss, is its own calibrator.
    /// Inference is managed code; saved in the standard ML.NET model zip.
    /// </summary>
    public sealed class BnMlpBinaryTransformer : BnMlpTransformerBase
    {
        internal const string LoaderSignature = "BnMlpBinaryTransform";

        internal BnMlpBinaryTransformer(IHostEnvironment env, BnMlpModelParameters model, string featureColumnName)
            : base(env, nameof(BnMlpBinaryTransformer), model, featureColumnName)
        {
        }

        private protected override ModelEntryFormat Format => ModelEntryFormat.Binary;

        /// <summary>Score is the logit, Probability its sigmoid and PredictedLabel whether the logit is positive, as the
        /// managed scorer computes them.</summary>
        private protected override void SaveOnnxScores(OnnxContext ctx, string outputLayer, DataViewSchema outputSchema)
        {
            string score = AddOnnxColumn(ctx, outputSchema, DefaultColumnNames.Score);
            BnMlpOnnxGraph.AddNodeInto(ctx, "Identity", [outputLayer], score);
            BnMlpOnnxGraph.AddNodeInto(ctx, "Sigmoid", [outputLayer], AddOnnxColumn(ctx, outputSchema, DefaultColumnNames.Probability));
            BnMlpOnnxGraph.AddNodeInto(ctx, "Greater", [score, ctx.AddInitializer(0f, "BnMlpZeroLogit")],
                AddOnnxColumn(ctx, outputSchema, DefaultColumnNames.PredictedLabel));
        }

        internal static BnMlpBinaryTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
        {
            Contracts.CheckValue(env, nameof(env));
            env.CheckValue(ctx, nameof(ctx));
            var (featureColumnName, model) = LoadCore(ctx, ModelEntryFormat.Binary);
            return new BnMlpBinaryTransformer(env, model, featureColumnName);
        }
    }
}
