namespace MLNet.BatchNorm
{
    /// <summary>The batch size, number of epochs and training objective of one Fit: the options' values, or the size-aware
    /// rules' for the training rows and classes (<see cref="BnMlpOptionsBase.Defaults.BatchSizeFor"/>,
    /// <see cref="BnMlpOptionsBase.Defaults.NumberOfEpochsFor"/>, <see cref="TrainingObjective.ForTrainingRows"/>).</summary>
    internal readonly record struct TrainingPlan(int BatchSize, int NumberOfEpochs, TrainingObjective Objective);
}
