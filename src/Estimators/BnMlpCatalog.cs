using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>Adds <c>BnMlp</c> to <c>mlContext.MulticlassClassification.Trainers</c>, <c>mlContext.BinaryClassification.Trainers</c>
    /// and <c>mlContext.Regression.Trainers</c>.</summary>
    public static class BnMlpCatalog
    {
        /// <summary>Creates a <see cref="BnMlpTrainer"/>: a batch-normalized multilayer perceptron.</summary>
        /// <param name="catalog">The multiclass classification trainers catalog.</param>
        /// <param name="labelColumnName">The label column: a key type (use <c>MapValueToKey</c>).</param>
        /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
        /// <param name="exampleWeightColumnName">Optional example weight column.</param>
        /// <param name="hiddenLayerSizes">Sizes of the hidden layers; null for the default (256, 128).</param>
        /// <param name="numberOfEpochs">Passes over the training data.</param>
        /// <param name="learningRate">Learning rate of the optimizer (Adam by default).</param>
        /// <param name="useBatchNorm">Batch normalization after each hidden dense layer.</param>
        public static BnMlpTrainer BnMlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog,
            string labelColumnName = DefaultColumnNames.Label,
            string featureColumnName = DefaultColumnNames.Features,
            string exampleWeightColumnName = null,
            int[] hiddenLayerSizes = null,
            int numberOfEpochs = BnMlpOptionsBase.Defaults.NumberOfEpochs,
            float learningRate = BnMlpOptionsBase.Defaults.LearningRate,
            bool useBatchNorm = BnMlpOptionsBase.Defaults.UseBatchNorm)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            var options = Common(new BnMlpTrainer.Options(), labelColumnName, featureColumnName, exampleWeightColumnName, hiddenLayerSizes,
                numberOfEpochs, learningRate, useBatchNorm);
            return new BnMlpTrainer(catalog.GetEnvironment(), options);
        }

        /// <summary>Creates a <see cref="BnMlpTrainer"/> with all options.</summary>
        /// <param name="catalog">The multiclass classification trainers catalog.</param>
        /// <param name="options">The trainer's options; checked here, with an error that names the option.</param>
        public static BnMlpTrainer BnMlp(this MulticlassClassificationCatalog.MulticlassClassificationTrainers catalog, BnMlpTrainer.Options options)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            Contracts.CheckValue(options, nameof(options));
            return new BnMlpTrainer(catalog.GetEnvironment(), options);
        }

        /// <summary>Creates a <see cref="BnMlpBinaryTrainer"/>: a batch-normalized multilayer perceptron binary classifier.</summary>
        /// <param name="catalog">The binary classification trainers catalog.</param>
        /// <param name="labelColumnName">The label column: a <see cref="bool"/>.</param>
        /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
        /// <param name="exampleWeightColumnName">Optional example weight column.</param>
        /// <param name="hiddenLayerSizes">Sizes of the hidden layers; null for the default (256, 128).</param>
        /// <param name="numberOfEpochs">Passes over the training data.</param>
        /// <param name="learningRate">Learning rate of the optimizer (Adam by default).</param>
        /// <param name="useBatchNorm">Batch normalization after each hidden dense layer.</param>
        public static BnMlpBinaryTrainer BnMlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog,
            string labelColumnName = DefaultColumnNames.Label,
            string featureColumnName = DefaultColumnNames.Features,
            string exampleWeightColumnName = null,
            int[] hiddenLayerSizes = null,
            int numberOfEpochs = BnMlpOptionsBase.Defaults.NumberOfEpochs,
            float learningRate = BnMlpOptionsBase.Defaults.LearningRate,
            bool useBatchNorm = BnMlpOptionsBase.Defaults.UseBatchNorm)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            var options = Common(new BnMlpBinaryTrainer.Options(), labelColumnName, featureColumnName, exampleWeightColumnName, hiddenLayerSizes,
                numberOfEpochs, learningRate, useBatchNorm);
            return new BnMlpBinaryTrainer(catalog.GetEnvironment(), options);
        }

        /// <summary>Creates a <see cref="BnMlpBinaryTrainer"/> with all options.</summary>
        /// <param name="catalog">The binary classification trainers catalog.</param>
        /// <param name="options">The trainer's options; checked here, with an error that names the option.</param>
        public static BnMlpBinaryTrainer BnMlp(this BinaryClassificationCatalog.BinaryClassificationTrainers catalog, BnMlpBinaryTrainer.Options options)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            Contracts.CheckValue(options, nameof(options));
            return new BnMlpBinaryTrainer(catalog.GetEnvironment(), options);
        }

        /// <summary>Creates a <see cref="BnMlpRegressionTrainer"/>: a batch-normalized multilayer perceptron regressor.</summary>
        /// <param name="catalog">The regression trainers catalog.</param>
        /// <param name="labelColumnName">The label column: a <see cref="float"/>.</param>
        /// <param name="featureColumnName">The feature column: a known-size vector of <see cref="float"/>.</param>
        /// <param name="exampleWeightColumnName">Optional example weight column.</param>
        /// <param name="hiddenLayerSizes">Sizes of the hidden layers; null for the default (256, 128).</param>
        /// <param name="numberOfEpochs">Passes over the training data.</param>
        /// <param name="learningRate">Learning rate of the optimizer (Adam by default).</param>
        /// <param name="useBatchNorm">Batch normalization after each hidden dense layer.</param>
        /// <param name="loss">The loss minimized: squared error or Huber.</param>
        public static BnMlpRegressionTrainer BnMlp(this RegressionCatalog.RegressionTrainers catalog,
            string labelColumnName = DefaultColumnNames.Label,
            string featureColumnName = DefaultColumnNames.Features,
            string exampleWeightColumnName = null,
            int[] hiddenLayerSizes = null,
            int numberOfEpochs = BnMlpOptionsBase.Defaults.NumberOfEpochs,
            float learningRate = BnMlpOptionsBase.Defaults.LearningRate,
            bool useBatchNorm = BnMlpOptionsBase.Defaults.UseBatchNorm,
            BnMlpRegressionLoss loss = BnMlpRegressionTrainer.Defaults.Loss)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            var options = Common(new BnMlpRegressionTrainer.Options { Loss = loss }, labelColumnName, featureColumnName, exampleWeightColumnName,
                hiddenLayerSizes, numberOfEpochs, learningRate, useBatchNorm);
            return new BnMlpRegressionTrainer(catalog.GetEnvironment(), options);
        }

        /// <summary>Creates a <see cref="BnMlpRegressionTrainer"/> with all options.</summary>
        /// <param name="catalog">The regression trainers catalog.</param>
        /// <param name="options">The trainer's options; checked here, with an error that names the option.</param>
        public static BnMlpRegressionTrainer BnMlp(this RegressionCatalog.RegressionTrainers catalog, BnMlpRegressionTrainer.Options options)
        {
            Contracts.CheckValue(catalog, nameof(catalog));
            Contracts.CheckValue(options, nameof(options));
            return new BnMlpRegressionTrainer(catalog.GetEnvironment(), options);
        }

        /// <summary>Sets the arguments the short overloads share.</summary>
        private static TOptions Common<TOptions>(TOptions options, string labelColumnName, string featureColumnName, string exampleWeightColumnName,
            int[] hiddenLayerSizes, int numberOfEpochs, float learningRate, bool useBatchNorm)
            where TOptions : BnMlpOptionsBase
        {
            options.LabelColumnName = labelColumnName;
            options.FeatureColumnName = featureColumnName;
            options.ExampleWeightColumnName = exampleWeightColumnName;
            options.HiddenLayerSizes = hiddenLayerSizes ?? BnMlpOptionsBase.Defaults.HiddenLayerSizes;
            options.NumberOfEpochs = numberOfEpochs;
            options.LearningRate = learningRate;
            options.UseBatchNorm = useBatchNorm;
            return options;
        }
    }
}
