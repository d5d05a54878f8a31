using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Trains a batch-normalized multilayer perceptron (BN-MLP) for multiclass classification on TorchSharp.
    /// </summary>
    /// <remarks>
    /// <para>
    /// | Trainer characteristics | |
    /// |---|---|
    /// | Machine learning task | Multiclass classification |
    /// | Is normalization required? | No: the trainer scales the features itself (<see cref="BnMlpOptionsBase.InputScaling"/>) |
    /// | Is caching required? | No: the training rows are copied into native memory once, or streamed from the data each epoch when they exceed <see cref="BnMlpOptionsBase.MemoryBudgetMegabytes"/> |
    /// | Required NuGet in addition to Microsoft.ML | MLNet.BatchNorm.Estimators (TorchSharp-cpu) for training; MLNet.BatchNorm.Transforms for scoring |
    /// </para>
    /// <para>
    /// Training details: the network is [Linear (no bias) → BatchNorm → activation → dropout] per hidden layer and a
    /// Linear output layer, trained with softmax cross-entropy on shuffled mini-batches. During training batch
    /// normalization uses each mini-batch's mean and variance; the trained model stores population statistics
    /// (<see cref="PopulationStatisticsMode"/>), so <c>Transform</c> and <c>PredictionEngine</c> score a row the same
    /// alone as in any batch. Scoring runs in managed code with batch normalization folded into the dense layers.
    /// </para>
    /// </remarks>
    public sealed class BnMlpTrainer : BnMlpTrainerBase<BnMlpMulticlassTransformer>
    {
        /// <summary>Options of the <see cref="BnMlpTrainer"/>: those of <see cref="BnMlpOptionsBase"/>, with a key label.</summary>
        public sealed class Options : BnMlpOptionsBase
        {
        }

        internal BnMlpTrainer(IHostEnvironment env, Options options)
            : base(env, nameof(BnMlpTrainer), options, TrainingObjective.CrossEntropy)
        {
        }

        /// <summary>The input schema plus <c>Score</c> and <c>PredictedLabel</c>, as ML.NET's multiclass trainers declare them.</summary>
        public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Host.CheckValue(inputSchema, nameof(inputSchema));
            var label = ColumnChecks.CheckLabel(Host, nameof(inputSchema), inputSchema, LabelColumnName, BnMlpModelKind.Multiclass);
            ColumnChecks.CheckFeatures(Host, nameof(inputSchema), inputSchema, FeatureColumnName);
            var columns = inputSchema.ToDictionary(c => c.Name);
            columns[DefaultColumnNames.Score] = new SchemaShape.Column(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Vector,
                NumberDataViewType.Single, false, new SchemaShape(AnnotationUtils.AnnotationsForMulticlassScoreColumn(label)));
            var predictedLabelAnnotations = label.Annotations.Where(a => a.Name == AnnotationUtils.Kinds.KeyValues)
                .Concat(AnnotationUtils.GetTrainerOutputAnnotation());
            columns[DefaultColumnNames.PredictedLabel] = new SchemaShape.Column(DefaultColumnNames.PredictedLabel, SchemaShape.Column.VectorKind.Scalar,
                NumberDataViewType.UInt32, true, new SchemaShape(predictedLabelAnnotations));
            return new SchemaShape(columns.Values);
        }

        private protected override BnMlpMulticlassTransformer CreateTransformer(BnMlpModelParameters model, DataViewSchema trainingSchema) =>
            new(Host, model, FeatureColumnName, trainingSchema[LabelColumnName].Annotations);
    }
}
