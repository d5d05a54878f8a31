using System;
using System.Collections.Generic;
using MLNet.BatchNorm;

namespace MLNet.BatchNorm.TestSupport
{
    /// <summary>Keeps every epoch's metrics that <see cref="BnMlpOptionsBase.Progress"/> reports at the end of the epoch, in
    /// order (not the partial reports of long epochs).</summary>
    public sealed class EpochRecorder : IProgress<BnMlpEpochMetrics>
    {
        public List<BnMlpEpochMetrics> Epochs { get; } = [];

        public void Report(BnMlpEpochMetrics value)
        {
            if (!value.IsPartial)
                Epochs.Add(value);
        }
    }
}
