using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Trains a batch-normalized multilayer perceptron (BN-MLP) for regression on TorchSharp.
    /// </summary>
    /// <remarks>
    /// <para>
    /// | Trainer characteristics | |
    /// |---|---|
    /// | Machine learning task | Regression |
    /// | Is normalization required? | Of the features: no, the trainer scales them (<see cref="BnMlpOptionsBase.InputScaling"/>). Of the label: large labels need more steps or a smaller learning rate |
    /// | Is caching required? | No: the training rows are copied into native memory once, or streamed from the data each epoch when they exceed <see cref="BnMlpOptionsBase.MemoryBudgetMegabytes"/> |
    /// | Required NuGet in addition to Microsoft.ML | MLNet.BatchNorm.Estimators (TorchSharp-cpu) for training; MLNet.BatchNorm.Transforms for scoring |
    /// </para>
    /// <para>
    /// Training details: the network of <see cref="BnMlpTrainer"/> with one linear output unit, trained on the squared
    /// error or the Huber loss (<see cref="Options.Loss"/>). Population statistics, validation, early stopping and scoring
    /// work as for the classifier; <see cref="BnMlpEpochMetrics.ValidationLoss"/> is the mean loss of the validation rows.
    /// </para>
    /// </remarks>
    public sealed class BnMlpRegressionTrainer : BnMlpTrainerBase<BnMlpRegressionTransformer>
    {
        /// <summary>Default values of the regression-only options.</summary>
        public static class Defaults
        {
            /// <summary>Squared error, what <c>mlContext.Regression.Evaluate</c> reports as MSE.</summary>
            public const BnMlpRegressionLoss Loss = BnMlpRegressionLoss.SquaredError;

            /// <summary>1, PyTorch's default.</summary>
            public const float HuberDelta = 1f;
        }

        /// <summary>Options of the <see cref="BnMlpRegressionTrainer"/>: those of <see cref="BnMlpOptionsBase"/> with a
        /// <see cref="float"/> label, and the loss.</summary>
        public sealed class Options : BnMlpOptionsBase
        {
            /// <summary>The loss minimized. Default <see cref="BnMlpRegressionLoss.SquaredError"/>.</summary>
            public BnMlpRegressionLoss Loss = BnMlpRegressionTrainer.Defaults.Loss;

            /// <summary>Distance from the label beyond which <see cref="BnMlpRegressionLoss.Huber"/> grows linearly;
            /// positive. Default 1.</summary>
            public float HuberDelta = BnMlpRegressionTrainer.Defaults.HuberDelta;

            internal override void Check()
            {
                base.Check();
                CheckDefined(Loss, nameof(Loss));
                CheckPositive(HuberDelta, nameof(HuberDelta));
            }
        }

        internal BnMlpRegressionTrainer(IHostEnvironment env, Options options)
            : base(env, nameof(BnMlpRegressionTrainer), options, TrainingObjective.Regression(options.Loss, options.HuberDelta))
        {
        }

        /// <summary>The input schema plus <c>Score</c>, as ML.NET's regression trainers declare it.</summary>
        public override SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            Host.CheckValue(inputSchema, nameof(inputSchema));
            ColumnChecks.CheckLabel(Host, nameof(inputSchema), inputSchema, LabelColumnName, BnMlpModelKind.Regression);
            ColumnChecks.CheckFeatures(Host, nameof(inputSchema), inputSchema, FeatureColumnName);
            var columns = inputSchema.ToDictionary(c => c.Name);
            columns[DefaultColumnNames.Score] = new SchemaShape.Column(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Scalar,
                NumberDataViewType.Single, false, new SchemaShape(AnnotationUtils.GetTrainerOutputAnnotation()));
            return new SchemaShape(columns.Values);
        }

        private protected override BnMlpRegressionTransformer CreateTransformer(BnMlpModelParameters model, DataViewSchema trainingSchema) =>
            new(Host, model, FeatureColumnName);
    }
}
