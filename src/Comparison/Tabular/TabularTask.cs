namespace MLNet.BatchNorm.Comparison
{
    /// <summary>What a tabular data set's label is, and so which trainers, label conversion and metric apply.</summary>
    public enum TabularTask
    {
        /// <summary>Two classes; the label becomes a <see cref="bool"/>, true for the positive class. Metric: AUC (and accuracy).</summary>
        BinaryClassification,

        /// <summary>Three or more classes; the label becomes a key over the data set's classes. Metric: accuracy.</summary>
        MulticlassClassification,

        /// <summary>A real-valued label, read as <see cref="float"/>. Metric: R².</summary>
        Regression,
    }
}
