using System.Collections.Generic;
using Microsoft.ML;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>The trainers a multiclass comparison starts from: ML.NET's own and BnMlp with and without batch normalization.</summary>
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

        /// <summary>A BnMlp contender with the given options.</summary>
        /// <param name="configuration">What distinguishes these options.</param>
        /// <param name="options">The trainer's options (used as they are for every fit).</param>
        public static Contender BnMlp(string configuration, BnMlpTrainer.Options options) =>
            new("BnMlp", configuration, ml => ml.MulticlassClassification.Trainers.BnMlp(options));
    }
}
