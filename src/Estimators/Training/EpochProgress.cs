using System;
using System.Diagnostics;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>Reports an epoch while it runs, at most once per <see cref="BnMlpOptionsBase.ProgressInterval"/>, so a
    /// long epoch on large data shows it is moving.</summary>
    internal sealed class EpochProgress(IChannel ch, BnMlpOptionsBase options, int epoch, int numberOfEpochs, double learningRate)
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private TimeSpan _lastReport;

        /// <summary>Called after each batch with the loss sum and rows so far.</summary>
        public void AfterBatch(TrainingBatch batch, double lossSum, long rows)
        {
            var elapsed = _clock.Elapsed;
            if (elapsed - _lastReport < options.ProgressInterval || batch.Number == batch.Count)
                return;
            _lastReport = elapsed;
            var metrics = new BnMlpEpochMetrics
            {
                Epoch = epoch, NumberOfEpochs = numberOfEpochs, IsPartial = true,
                FractionOfEpoch = batch.Count is int count ? (double)batch.Number / count : null,
                TrainingLoss = lossSum / rows, LearningRate = learningRate, Elapsed = elapsed, RowsPerSecond = rows / elapsed.TotalSeconds,
            };
            ch.Info(metrics.ToString());
            options.Progress?.Report(metrics);
        }
    }
}
