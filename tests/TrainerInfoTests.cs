using System.Reflection;
using Microsoft.ML;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    public sealed class TrainerInfoTests
    {
        private static readonly MLContext Ml = new(seed: 1);

        [Theory]
        [InlineData(true, false, false)]
        [InlineData(false, true, false)]
        [InlineData(true, true, false)]
        [InlineData(false, false, true)]
        public void NormalizationIsNeededOnlyWhenNothingNormalizes(bool useBatchNorm, bool batchNormOnInput, bool needsNormalization)
        {
            var classifier = Ml.MulticlassClassification.Trainers.BnMlp(new BnMlpTrainer.Options { UseBatchNorm = useBatchNorm, BatchNormOnInput = batchNormOnInput });
            var regressor = Ml.Regression.Trainers.BnMlp(new BnMlpRegressionTrainer.Options { UseBatchNorm = useBatchNorm, BatchNormOnInput = batchNormOnInput });
            foreach (var info in new[] { classifier.Info, regressor.Info })
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
