using System;
using System.Collections.Generic;
using MLNet.BatchNorm;

namespace MLNet.BatchNorm.TestSupport
{
    /// <summary>Keeps every epoch's metrics that <see cref="BnMlpOptionsBase.Progress"/> reports, in order.</summary>
    public sealed class EpochRecorder : IProgress<BnMlpEpochMetrics>
    {
        public List<BnMlpEpochMetrics> Epochs { get; } = [];

        public void Report(BnMlpEpochMetrics value) => Epochs.Add(value);
    }
}
