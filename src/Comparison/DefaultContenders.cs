using System;
using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Trainers;
using Microsoft.ML.Trainers.FastTree;
using Microsoft.ML.Trainers.LightGbm;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>The trainers a comparison starts from: ML.NET's own and BnMlp.</summary>
    public static class DefaultContenders
    {
        /// <summary>
        /// LightGbm, OneVersusAll(FastTree), LbfgsMaximumEntropy, SdcaMaximumEntropy, NaiveBayes (ML.NET defaults), and
        /// BnMlp with default options with and without batch normalization (same seed, so the same initial weights).
        /// </summary>
        /// <param name="labelColumnName">The key-typed label column.</param>
        /// <param name="featureColumnName">The feature vector column.</param>
        public static IReadOnlyList<Contender> Multiclass(string labelColumnName = "Label", string featureColumnName = "Features") =>
        [
            new("LightGbm", "default", ml => ml.MulticlassClassification.Trainers.LightGbm(labelColumnName, featureColumnName)),
            new("OneVersusAll(FastTree)", "default", ml => ml.MulticlassClassification.Trainers.OneVersusAll(
                ml.BinaryClassification.Trainers.FastTree(labelColumnName, featureColumnName), labelColumnName)),
            new("LbfgsMaximumEntropy", "default", ml => ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(labelColumnName, featureColumnName)),
            new("SdcaMaximumEntropy", "default", ml => ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(labelColumnName, featureColumnName)),
            new("NaiveBayes", "default", ml => ml.MulticlassClassification.Trainers.NaiveBayes(labelColumnName, featureColumnName)),
            BnMlp("BN on (defaults)", new BnMlpTrainer.Options { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName }),
            BnMlp("BN off", new BnMlpTrainer.Options { LabelColumnName = labelColumnName, FeatureColumnName = featureColumnName, UseBatchNorm = false }),
        ];

        /// <summary>
        /// The contenders of a tabular comparison for <paramref name="task"/>, each with ML.NET's default options and a
        /// declared search space: BnMlp, LightGbm, FastTree, FastForest (OneVersusAll for multiclass), Lbfgs
        /// (LbfgsLogisticRegression or LbfgsMaximumEntropy; none for regression) and Sdca (SdcaLogisticRegression,
        /// SdcaMaximumEntropy or Sdca regression). Lbfgs and Sdca get NormalizeMinMax first, as ML.NET's documentation
        /// of those trainers asks. BnMlp (which scales its inputs itself, <see cref="BnMlpOptionsBase.InputScaling"/>) and the
        /// trees get the features as they are.
        /// </summary>
        /// <param name="task">The task.</param>
        public static IReadOnlyList<TabularContender> Tabular(TabularTask task) => task switch
        {
            TabularTask.BinaryClassification => BinaryContenders(),
            TabularTask.MulticlassClassification => MulticlassContenders(),
            TabularTask.Regression => RegressionContenders(),
            _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task."),
        };

        private const string Label = TabularDataset.LabelColumnName;
        private const string Features = TabularDataset.FeatureColumnName;
        private const string MinMax = "NormalizeMinMax + ";

        // Search spaces: the options ML.NET's AutoML tunes for these trainers, over ranges narrowed so that a trial takes
        // seconds on the suite's sets (AutoML's reach up to 32768 trees or leaves).
        private static SearchSpace LightGbmSpace() => new SearchSpace()
            .Range("NumberOfLeaves", 4, 128, logScale: true).Range("MinimumExampleCountPerLeaf", 2, 50, logScale: true)
            .Range("LearningRate", 0.01, 0.5, logScale: true).Range("NumberOfIterations", 10, 500, logScale: true);

        private static SearchSpace FastTreeSpace() => new SearchSpace()
            .Range("NumberOfLeaves", 4, 128, logScale: true).Range("MinimumExampleCountPerLeaf", 2, 50, logScale: true)
            .Range("LearningRate", 0.01, 0.5, logScale: true).Range("NumberOfTrees", 10, 500, logScale: true);

        private static SearchSpace FastForestSpace() => new SearchSpace()
            .Range("NumberOfLeaves", 4, 128, logScale: true).Range("MinimumExampleCountPerLeaf", 2, 50, logScale: true)
            .Range("NumberOfTrees", 10, 300, logScale: true).Range("FeatureFraction", 0.3, 1);

        private static SearchSpace LbfgsSpace() => new SearchSpace()
            .Range("L1Regularization", 1e-4, 10, logScale: true).Range("L2Regularization", 1e-4, 10, logScale: true);

        private static SearchSpace SdcaSpace() => new SearchSpace()
            .Range("L1Regularization", 1e-7, 1, logScale: true).Range("L2Regularization", 1e-7, 1, logScale: true);

        private static SearchSpace BnMlpSpace<TOptions>() => SearchSpace.FromAttributes(typeof(TOptions));

        private static IReadOnlyList<TabularContender> BinaryContenders() =>
        [
            TabularContender.Create("BnMlp", "BnMlp", TabularTask.BinaryClassification,
                () => new BnMlpBinaryTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.BinaryClassification.Trainers.BnMlp(o), BnMlpSpace<BnMlpBinaryTrainer.Options>()),
            TabularContender.Create("LightGbm", "LightGbm", TabularTask.BinaryClassification,
                () => new LightGbmBinaryTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.BinaryClassification.Trainers.LightGbm(o), LightGbmSpace()),
            TabularContender.Create("FastTree", "FastTree", TabularTask.BinaryClassification,
                () => new FastTreeBinaryTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.BinaryClassification.Trainers.FastTree(o), FastTreeSpace()),
            TabularContender.Create("FastForest", "FastForest", TabularTask.BinaryClassification,
                () => new FastForestBinaryTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.BinaryClassification.Trainers.FastForest(o), FastForestSpace()),
            TabularContender.Create("Lbfgs", MinMax + "LbfgsLogisticRegression", TabularTask.BinaryClassification,
                () => new LbfgsLogisticRegressionBinaryTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.Transforms.NormalizeMinMax(Features).Append(ml.BinaryClassification.Trainers.LbfgsLogisticRegression(o)), LbfgsSpace()),
            TabularContender.Create("Sdca", MinMax + "SdcaLogisticRegression", TabularTask.BinaryClassification,
                () => new SdcaLogisticRegressionBinaryTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.Transforms.NormalizeMinMax(Features).Append(ml.BinaryClassification.Trainers.SdcaLogisticRegression(o)), SdcaSpace()),
        ];

        private static IReadOnlyList<TabularContender> MulticlassContenders() =>
        [
            TabularContender.Create("BnMlp", "BnMlp", TabularTask.MulticlassClassification,
                () => new BnMlpTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.MulticlassClassification.Trainers.BnMlp(o), BnMlpSpace<BnMlpTrainer.Options>()),
            TabularContender.Create("LightGbm", "LightGbm", TabularTask.MulticlassClassification,
                () => new LightGbmMulticlassTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.MulticlassClassification.Trainers.LightGbm(o), LightGbmSpace()),
            TabularContender.Create("FastTree", "OneVersusAll(FastTree)", TabularTask.MulticlassClassification,
                () => new FastTreeBinaryTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastTree(o), Label), FastTreeSpace()),
            TabularContender.Create("FastForest", "OneVersusAll(FastForest)", TabularTask.MulticlassClassification,
                () => new FastForestBinaryTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.MulticlassClassification.Trainers.OneVersusAll(ml.BinaryClassification.Trainers.FastForest(o), Label), FastForestSpace()),
            TabularContender.Create("Lbfgs", MinMax + "LbfgsMaximumEntropy", TabularTask.MulticlassClassification,
                () => new LbfgsMaximumEntropyMulticlassTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.Transforms.NormalizeMinMax(Features).Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy(o)), LbfgsSpace()),
            TabularContender.Create("Sdca", MinMax + "SdcaMaximumEntropy", TabularTask.MulticlassClassification,
                () => new SdcaMaximumEntropyMulticlassTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.Transforms.NormalizeMinMax(Features).Append(ml.MulticlassClassification.Trainers.SdcaMaximumEntropy(o)), SdcaSpace()),
        ];

        private static IReadOnlyList<TabularContender> RegressionContenders() =>
        [
            TabularContender.Create("BnMlp", "BnMlp", TabularTask.Regression,
                () => new BnMlpRegressionTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.Regression.Trainers.BnMlp(o), BnMlpSpace<BnMlpRegressionTrainer.Options>()),
            TabularContender.Create("LightGbm", "LightGbm", TabularTask.Regression,
                () => new LightGbmRegressionTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.Regression.Trainers.LightGbm(o), LightGbmSpace()),
            TabularContender.Create("FastTree", "FastTree", TabularTask.Regression,
                () => new FastTreeRegressionTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.Regression.Trainers.FastTree(o), FastTreeSpace()),
            TabularContender.Create("FastForest", "FastForest", TabularTask.Regression,
                () => new FastForestRegressionTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.Regression.Trainers.FastForest(o), FastForestSpace()),
            TabularContender.Create("Sdca", MinMax + "Sdca", TabularTask.Regression,
                () => new SdcaRegressionTrainer.Options { LabelColumnName = Label, FeatureColumnName = Features },
                (ml, o) => ml.Transforms.NormalizeMinMax(Features).Append(ml.Regression.Trainers.Sdca(o)), SdcaSpace()),
        ];

        /// <summary>A BnMlp contender with the given options.</summary>
        /// <param name="configuration">What distinguishes these options.</param>
        /// <param name="options">The trainer's options (used as they are for every fit).</param>
        public static Contender BnMlp(string configuration, BnMlpTrainer.Options options) =>
            new("BnMlp", configuration, ml => ml.MulticlassClassification.Trainers.BnMlp(options));
    }
}
