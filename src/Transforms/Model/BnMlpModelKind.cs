namespace MLNet.BatchNorm
{
    /// <summary>
    /// What a BN-MLP predicts, decided once by its zip entry's format (<see cref="ModelEntryFormat.Kind"/>) and read by
    /// training, scoring and <see cref="BnMlpPredictor"/> instead of testing types or output counts.
    /// </summary>
    internal enum BnMlpModelKind
    {
        /// <summary>A key label; one logit per class; <c>Score</c> holds the softmax probabilities, <c>PredictedLabel</c> the most probable key.</summary>
        Multiclass,

        /// <summary>A Boolean label; one logit; <c>Score</c> holds it, <c>Probability</c> its sigmoid, <c>PredictedLabel</c> whether it is positive.</summary>
        Binary,

        /// <summary>A <see cref="float"/> label; one output unit, the <c>Score</c>.</summary>
        Regression,
    }
}
