using System.IO;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Data.IO;
using Microsoft.ML.Model.OnnxConverter;
using Microsoft.ML.Runtime;
using MLNet.BatchNorm;

[assembly: LoadableClass(typeof(BnMlpMulticlassTransformer), null, typeof(SignatureLoadModel),
    "BN-MLP multiclass classifier", BnMlpMulticlassTransformer.LoaderSignature)]

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Scores rows with a trained BN-MLP classifier: appends <c>Score</c> (class probabilities, known size, slot names
    /// from the label's key values) and <c>PredictedLabel</c> (a key of the training label's type), as ML.NET's
    /// multiclass trainers do. Inference is managed code; saved in the standard ML.NET model zip.
    /// </summary>
    public sealed class BnMlpMulticlassTransformer : BnMlpTransformerBase
    {
        internal const string LoaderSignature = "BnMlpMulticlassTransform";
        private const string LabelKeyValuesStream = "LabelKeyValues.idv";
        private const string LabelColumn = "Label";

        internal BnMlpMulticlassTransformer(IHostEnvironment env, BnMlpModelParameters model, string featureColumnName, DataViewSchema.Annotations labelAnnotations)
            : base(env, nameof(BnMlpMulticlassTransformer), model, featureColumnName)
        {
            LabelKeyValues = KeyValuesOnly(labelAnnotations, model.OutputCount);
        }

        /// <summary>The training label's key values (empty when it had none).</summary>
        internal DataViewSchema.Annotations LabelKeyValues { get; }

        private static DataViewSchema.Annotations KeyValuesOnly(DataViewSchema.Annotations annotations, int classCount)
        {
            var builder = new DataViewSchema.Annotations.Builder();
            var keyValues = annotations?.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues);
            if (keyValues?.Type is VectorDataViewType { Size: var size } && size == classCount)
                builder.Add(annotations, name => name == AnnotationUtils.Kinds.KeyValues);
            return builder.ToAnnotations();
        }

        private protected override ModelEntryFormat Format => ModelEntryFormat.Classifier;

        /// <summary>After the shared part: stream LabelKeyValues.idv, an empty data view whose key column carries the
        /// label's key values.</summary>
        private protected override void SaveCore(ModelSaveContext ctx)
        {
            ctx.SaveBinaryStream(LabelKeyValuesStream, writer =>
            {
                var schema = new DataViewSchema.Builder();
                schema.AddColumn(LabelColumn, new KeyDataViewType(typeof(uint), Model.OutputCount), LabelKeyValues);
                using var ch = Host.Start("Saving label key values");
                var saver = new BinarySaver(Host, new BinarySaver.Arguments { Silent = true });
                DataSaverUtils.SaveDataView(ch, saver, new EmptyDataView(Host, schema.ToSchema()), writer.BaseStream);
            });
        }

        /// <summary><c>Score</c>: the softmax of the logits, [N, classes]. <c>PredictedLabel</c>: the key of the most
        /// probable class, [N, 1] UInt32 as ML.NET's key columns are in ONNX (ArgMax counts from 0, keys from 1).</summary>
        private protected override void SaveOnnxScores(OnnxContext ctx, string outputLayer, DataViewSchema outputSchema)
        {
            string score = AddOnnxColumn(ctx, outputSchema, DefaultColumnNames.Score);
            BnMlpOnnxGraph.AddNodeInto(ctx, "Softmax", [outputLayer], score, node => node.AddAttribute("axis", 1L));
            string index = BnMlpOnnxGraph.AddNode(ctx, "ArgMax", [score], NumberDataViewType.Int64, "BnMlpArgMax", node =>
            {
                node.AddAttribute("axis", 1L);
                node.AddAttribute("keepdims", 1L);
            });
            string key = BnMlpOnnxGraph.AddNode(ctx, "Add", [index, ctx.AddInitializer(1L, "BnMlpKeyOffset")], NumberDataViewType.Int64, "BnMlpKey");
            string predictedLabel = AddOnnxColumn(ctx, outputSchema, DefaultColumnNames.PredictedLabel);
            BnMlpOnnxGraph.AddNodeInto(ctx, "Cast", [key], predictedLabel, node => node.AddAttribute("to", typeof(uint)));
        }

        internal static BnMlpMulticlassTransformer Create(IHostEnvironment env, ModelLoadContext ctx)
        {
            Contracts.CheckValue(env, nameof(env));
            env.CheckValue(ctx, nameof(ctx));
            var (featureColumnName, model) = LoadCore(ctx, ModelEntryFormat.Classifier);

            DataViewSchema.Annotations labelAnnotations = null;
            var copy = new MemoryStream();
            if (ctx.TryLoadBinaryStream(LabelKeyValuesStream, reader => reader.BaseStream.CopyTo(copy)))
            {
                copy.Position = 0;
                var loader = new BinaryLoader(env, new BinaryLoader.Arguments(), copy);
                var label = loader.Schema.GetColumnOrNull(LabelColumn)
                    ?? throw new InvalidDataException("The BN-MLP model is damaged: its label key values have no label column.");
                labelAnnotations = label.Annotations;
            }
            return new BnMlpMulticlassTransformer(env, model, featureColumnName, labelAnnotations);
        }
    }
}
