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

    /// <summary>The rules that follow from a <see cref="BnMlpModelKind"/>, for every check that needs them.</summary>
    internal static class BnMlpModelKinds
    {
        /// <summary>Whether an output layer of <paramref name="outputCount"/> units fits: one per class (two or more) for a
        /// multiclass classifier, one for a binary classifier (the logit) or a regressor.</summary>
        public static bool FitsOutputCount(this BnMlpModelKind kind, int outputCount) =>
            kind == BnMlpModelKind.Multiclass ? outputCount >= 2 : outputCount == 1;

        /// <summary>The output layer <see cref="FitsOutputCount"/> accepts, in words.</summary>
        public static string ExpectedOutputs(this BnMlpModelKind kind) =>
            kind == BnMlpModelKind.Multiclass ? "one output unit per class, two or more" : "one output unit";

        /// <summary>The kind in words, as in "a binary classifier".</summary>
        public static string Describe(this BnMlpModelKind kind) => kind switch
        {
            BnMlpModelKind.Multiclass => "multiclass classifier",
            BnMlpModelKind.Binary => "binary classifier",
            _ => "regressor",
        };
    }
}
