namespace MLNet.BatchNorm
{
    /// <summary>The batch size and number of epochs of one Fit: the options' values, or the size-aware rule's for the
    /// training rows and classes (<see cref="BnMlpOptionsBase.Defaults.BatchSizeFor"/>, <see cref="BnMlpOptionsBase.Defaults.NumberOfEpochsFor"/>).</summary>
    internal readonly record struct TrainingPlan(int BatchSize, int NumberOfEpochs);
}
