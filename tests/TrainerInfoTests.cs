using System.Reflection;
using Microsoft.ML;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    public sealed class TrainerInfoTests
    {
        private static readonly MLContext Ml = new(seed: 1);

        [Theory]
        [InlineData(BnMlpInputScaling.None, true, false, false)]
        [InlineData(BnMlpInputScaling.None, false, true, false)]
        [InlineData(BnMlpInputScaling.None, true, true, false)]
        [InlineData(BnMlpInputScaling.None, false, false, true)]
        [InlineData(BnMlpInputScaling.Standard, false, false, false)]
        [InlineData(BnMlpInputScaling.StandardSmoothClip, false, false, false)]
        public void NormalizationIsNeededOnlyWhenNothingNormalizes(BnMlpInputScaling scaling, bool useBatchNorm, bool batchNormOnInput, bool needsNormalization)
        {
            var classifier = Ml.MulticlassClassification.Trainers.BnMlp(new BnMlpTrainer.Options
            {
                InputScaling = scaling, UseBatchNorm = useBatchNorm, BatchNormOnInput = batchNormOnInput,
            });
            var binary = Ml.BinaryClassification.Trainers.BnMlp(new BnMlpBinaryTrainer.Options
            {
                InputScaling = scaling, UseBatchNorm = useBatchNorm, BatchNormOnInput = batchNormOnInput,
            });
            var regressor = Ml.Regression.Trainers.BnMlp(new BnMlpRegressionTrainer.Options
            {
                InputScaling = scaling, UseBatchNorm = useBatchNorm, BatchNormOnInput = batchNormOnInput,
            });
            foreach (var info in new[] { classifier.Info, binary.Info, regressor.Info })
            {
                Assert.Equal(needsNormalization, info.NeedNormalization);
                Assert.False(info.WantCaching);
                Assert.False(Internal(info, "NeedCalibration"));
                Assert.True(Internal(info, "SupportsValidation"));
                Assert.True(Internal(info, "SupportsIncrementalTraining"));
            }
        }

        /// <summary>ML.NET reads these properties internally (they are not public in Microsoft.ML.Core).</summary>
        private static bool Internal(TrainerInfo info, string property) =>
            (bool)typeof(TrainerInfo).GetProperty(property, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic).GetValue(info);
    }
}
