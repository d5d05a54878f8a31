using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Trains a batch-normalized multilayer perceptron (BN-MLP) for binary classification on TorchSharp.
    /// </summary>
    /// <remarks>
    /// <para>
    /// | Trainer characteristics | |
    /// |---|---|
    /// | Machine learning task | Binary classification |
    /// | Is normalization required? | No with batch normalization (the first hidden layer normalizes); yes without |
    /// | Is caching required? | No: the training rows are copied into native memory once, or streamed from the data each epoch when they exceed <see cref="BnMlpOptionsBase.MemoryBudgetMegabytes"/> |
    /// | Required NuGet in addition to Microsoft.ML | MLNet.BatchNorm.Estimators (TorchSharp-cpu) for training; MLNet.BatchNorm.Transforms for scoring |
    /// </para>
    /// <para>
    /// Training details: the network of <see cref="BnMlpTrainer"/> with one output unit, the logit of true, trained on
    /// the sigmoid cross-entropy (log-loss), each row weighted by its example weight times
    /// <see cref="Options.PositiveClassWeight"/> when its label is true. The model outputs what ML.NET's calibrated binary
    /// trainers do: <c>Score</c> (the logit), <c>Probability</c> (its sigmoid: a network trained on the log-loss is its own
    /// calibrator, no Platt step) and <c>PredictedLabel</c> (true when the score is positive). Population statistics,
    /// validation, early stopping and scoring work as for the multiclass classifier;
    /// <see cref="BnMlpEpochMetrics.ValidationLoss"/> is the unweighted log-loss in nats (ML.NET's <c>Evaluate</c> reports it
    /// in bits, divided by ln 2).
    /// </para>
    /// </remarks>
    public sealed class BnMlpBinaryTrainer : BnMlpTrainerBase<BnMlpBinaryTransformer>
    {
        /// <summary>Default values of the binary-only options.</summary>
        public static class Defaults
        {
            /// <summary>1: positive and negative rows weigh the same.</summary>
            public const float PositiveClassWeight = 1f;

            /// <summary><see cref="LearningRateSchedule.Cosine"/>, with the size-aware rule's fewer steps for two classes
            /// (<see cref="BnMlpOptionsBase.Defaults.BinarySteps"/>): on three of the tabular suite's small binary sets
            /// (development seeds, docs/options.md) the mean AUC of 500 cosine steps was 0.921 against 0.913 for the
            /// constant rate over 2,000 steps and 0.915 for 500 constant steps.</summary>
            public const LearningRateSchedule LearningRateSchedule = MLNet.BatchNorm.LearningRateSchedule.Cosine;
        }

        /// <summary>Options of the <see cref="BnMlpBinaryTrainer"/>: those of <see cref="BnMlpOptionsBase"/> with a
        /// <see cref="bool"/> label, and the weight of the positive class.</summary>
        public sealed class Options : BnMlpOptionsBase
        {
            /// <summary>Options with their defaults; the learning-rate schedule is
            /// <see cref="BnMlpBinaryTrainer.Defaults.LearningRateSchedule"/>.</summary>
            public Options()
            {
                LearningRateSchedule = BnMlpBinaryTrainer.Defaults.LearningRateSchedule;
            }

            /// <summary>Weight in the loss of a row whose label is true, relative to 1 for a false one, multiplied by the
            /// row's example weight; positive and finite. Above 1 it trades precision for recall on imbalanced data (a
            /// common choice is the ratio of negative to positive rows); the probabilities then overstate the positive
            /// class. Default 1.</summary>
            public float PositiveClassWeight = BnMlpBinaryTrainer.Defaults.PositiveClassWeight;

            internal override void Check()
            {
                base.Check();
                CheckPositive(PositiveClassWeight, nameof(PositiveClassWeight));
            }
        }

        internal BnMlpBinaryTrainer(IHostEnvironment env, Options options)
            : base(env, nameof(BnMlpBinaryTrainer), options, TrainingObjective.Binary(options.PositiveClassWeight))
        {
        }

        /// <summary>The input schema plus <c>Score</c>, <c>Probability</c> and <c>PredictedLabel</c>, as ML.NET's calibrated
        /// binary trainers declare them.</summary>
        public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Host.CheckValue(inputSchema, nameof(inputSchema));
            ColumnChecks.CheckLabel(Host, nameof(inputSchema), inputSchema, LabelColumnName, BnMlpModelKind.Binary);
            ColumnChecks.CheckFeatures(Host, nameof(inputSchema), inputSchema, FeatureColumnName);
            var columns = inputSchema.ToDictionary(c => c.Name);
            columns[DefaultColumnNames.Score] = new SchemaShape.Column(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Scalar,
                NumberDataViewType.Single, false, new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation()));
            columns[DefaultColumnNames.Probability] = new SchemaShape.Column(DefaultColumnNames.Probability, SchemaShape.Column.VectorKind.Scalar,
                NumberDataViewType.Single, false, new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation(isNormalized: true)));
            columns[DefaultColumnNames.PredictedLabel] = new SchemaShape.Column(DefaultColumnNames.PredictedLabel, SchemaShape.Column.VectorKind.Scalar,
                BooleanDataViewType.Instance, false, new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation()));
            return new SchemaShape(columns.Values);
        }

        private protected override BnMlpBinaryTransformer CreateTransformer(BnMlpModelParameters model, DataViewSchema trainingSchema) =>
            new(Host, model, FeatureColumnName);
    }
}
