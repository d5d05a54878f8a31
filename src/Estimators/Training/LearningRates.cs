using System;

namespace MLNet.BatchNorm
{
    /// <summary>The learning rate of each epoch under <see cref="BnMlpOptionsBase.LearningRateSchedule"/>.</summary>
    internal static class LearningRates
    {
        /// <param name="options">The trainer's options.</param>
        /// <param name="epoch">1-based epoch.</param>
        /// <param name="epochs">The number of epochs of the training.</param>
        public static double ForEpoch(BnMlpOptionsBase options, int epoch, int epochs) => options.LearningRateSchedule switch
        {
            LearningRateSchedule.Step => options.LearningRate * Math.Pow(options.LearningRateStepFactor, (epoch - 1) / options.LearningRateStepEpochs),
            LearningRateSchedule.Cosine => options.LearningRate * (1 + Math.Cos(Math.PI * (epoch - 1) / epochs)) / 2,
            _ => options.LearningRate,
        };
    }
}
