namespace MLNet.BatchNorm.Comparison
{
    /// <summary>How a tabular column is read and featurized.</summary>
    public enum TabularColumnKind
    {
        /// <summary>Read as <see cref="float"/> (an empty field is NaN); missing values are replaced by the column's mean.</summary>
        Numeric,

        /// <summary>Read as text (an empty field is missing); one-hot encoded.</summary>
        Categorical,
    }

    /// <summary>One column of a tabular data set, as its manifest declares it.</summary>
    public sealed class TabularColumn
    {
        /// <summary>Creates a column description.</summary>
        /// <param name="name">The column name in the CSV header.</param>
        /// <param name="kind">How it is read and featurized.</param>
        /// <param name="missingCount">How many of the data set's rows have no value in it.</param>
        public TabularColumn(string name, TabularColumnKind kind, int missingCount)
        {
            Name = name;
            Kind = kind;
            MissingCount = missingCount;
        }

        /// <summary>The column name in the CSV header.</summary>
        public string Name { get; }

        /// <summary>How the column is read and featurized.</summary>
        public TabularColumnKind Kind { get; }

        /// <summary>How many of the data set's rows have no value in this column.</summary>
        public int MissingCount { get; }
    }
}
