using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>
    /// A CSV file with declared column kinds and a label: loads it with <c>LoadFromTextFile</c> and featurizes it the
    /// ordinary ML.NET way, the same for every trainer. <see cref="Featurize"/> produces a <see cref="LabelColumnName"/>
    /// column (<see cref="bool"/> for binary, a key over <see cref="Classes"/> for multiclass, <see cref="float"/> for
    /// regression) and a <see cref="FeatureColumnName"/> vector of <see cref="float"/>.
    /// </summary>
    public sealed class TabularDataset
    {
        /// <summary>The label column <see cref="Featurize"/> produces.</summary>
        public const string LabelColumnName = "Label";

        /// <summary>The feature vector column <see cref="Featurize"/> produces.</summary>
        public const string FeatureColumnName = "Features";

        /// <summary>Suffix of the indicator column added for a numeric column that has missing values.</summary>
        public const string MissingIndicatorSuffix = ".missing";

        /// <summary>Describes a CSV file: comma-separated, a header line naming the columns in <paramref name="columns"/>'
        /// order, no quoting, an empty field for a missing value.</summary>
        /// <param name="name">A short name, e.g. "PimaIndiansDiabetes2".</param>
        /// <param name="path">The CSV file.</param>
        /// <param name="task">What the label is.</param>
        /// <param name="targetColumn">The label column in the file: categorical for classification, numeric for regression.</param>
        /// <param name="columns">All columns of the file, in order, the label included.</param>
        /// <param name="classes">Classification: every class, in the key order wanted; regression: null.</param>
        /// <param name="positiveClass">Binary classification: the class that maps to true; otherwise null.</param>
        public TabularDataset(string name, string path, TabularTask task, string targetColumn, IReadOnlyList<TabularColumn> columns,
            IReadOnlyList<string> classes = null, string positiveClass = null)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
            ArgumentException.ThrowIfNullOrWhiteSpace(path);
            ArgumentException.ThrowIfNullOrWhiteSpace(targetColumn);
            ArgumentNullException.ThrowIfNull(columns);
            if (!Enum.IsDefined(task))
                throw new ArgumentOutOfRangeException(nameof(task), task, "Unknown task.");
            Name = name;
            Path = path;
            Task = task;
            TargetColumn = targetColumn;
            Columns = columns.ToArray();
            Classes = classes?.ToArray();
            PositiveClass = positiveClass;
            Check();
        }

        /// <summary>The data set's short name.</summary>
        public string Name { get; }

        /// <summary>The CSV file.</summary>
        public string Path { get; }

        /// <summary>What the label is.</summary>
        public TabularTask Task { get; }

        /// <summary>The label column in the file.</summary>
        public string TargetColumn { get; }

        /// <summary>All columns of the file, in order, the label included.</summary>
        public IReadOnlyList<TabularColumn> Columns { get; }

        /// <summary>The columns other than the label, in file order.</summary>
        public IEnumerable<TabularColumn> FeatureColumns => Columns.Where(c => c.Name != TargetColumn);

        /// <summary>Classification: every class, in key order (for binary, the two classes); regression: null.</summary>
        public IReadOnlyList<string> Classes { get; }

        /// <summary>Binary classification: the class that maps to true; otherwise null.</summary>
        public string PositiveClass { get; }

        /// <summary>Reads the file with <c>LoadFromTextFile</c>: numeric columns as <see cref="float"/>, categorical ones
        /// as text. Checks the header line against <see cref="Columns"/> first.</summary>
        /// <exception cref="FileNotFoundException">The file does not exist.</exception>
        /// <exception cref="InvalidDataException">The header does not name <see cref="Columns"/> in order.</exception>
        public IDataView Load(MLContext ml)
        {
            ArgumentNullException.ThrowIfNull(ml);
            if (!File.Exists(Path))
                throw new FileNotFoundException($"Data set {Name}: no file {Path}.", Path);
            string header = File.ReadLines(Path).FirstOrDefault() ?? "";
            string expected = string.Join(",", Columns.Select(c => c.Name));
            if (header != expected)
                throw new InvalidDataException($"Data set {Name}: the header of {Path} should be '{expected}' but is '{header}'.");
            var loaderColumns = Columns.Select((c, i) => new TextLoader.Column(c.Name,
                c.Kind == TabularColumnKind.Numeric ? DataKind.Single : DataKind.String, i)).ToArray();
            // MissingRealsAsNaNs: an empty numeric field is missing, not 0 (TextLoader's default).
            return ml.Data.LoadFromTextFile(Path, new TextLoader.Options
            {
                Columns = loaderColumns, Separators = [','], HasHeader = true, AllowQuoting = false, MissingRealsAsNaNs = true,
            });
        }

        /// <summary>
        /// The featurization every trainer gets, fitted on training rows only: the label converted (binary: true for
        /// <see cref="PositiveClass"/>; multiclass: a key over <see cref="Classes"/> in their order, the same in every
        /// fold; regression: the number as it is) into <see cref="LabelColumnName"/>; each numeric feature with missing
        /// values in the data set gets a 0/1 indicator column (name + <see cref="MissingIndicatorSuffix"/>), then every
        /// numeric feature has missing values replaced by its mean; every categorical feature is one-hot encoded (a
        /// missing value is all zeros); all of them concatenated, in file order, into <see cref="FeatureColumnName"/>.
        /// </summary>
        public IEstimator<ITransformer> Featurize(MLContext ml)
        {
            ArgumentNullException.ThrowIfNull(ml);
            IEstimator<ITransformer> pipeline = LabelConversion(ml);
            var numeric = FeatureColumns.Where(c => c.Kind == TabularColumnKind.Numeric).ToArray();
            var categorical = FeatureColumns.Where(c => c.Kind == TabularColumnKind.Categorical).ToArray();
            var indicated = numeric.Where(c => c.MissingCount > 0)
                .Select(c => new InputOutputColumnPair(c.Name + MissingIndicatorSuffix, c.Name)).ToArray();
            if (indicated.Length > 0)
            {
                pipeline = pipeline.Append(ml.Transforms.IndicateMissingValues(indicated))
                    .Append(ml.Transforms.Conversion.ConvertType(indicated.Select(p => new InputOutputColumnPair(p.OutputColumnName)).ToArray(), DataKind.Single));
            }
            if (numeric.Length > 0)
            {
                pipeline = pipeline.Append(ml.Transforms.ReplaceMissingValues(InPlace(numeric), MissingValueReplacingEstimator.ReplacementMode.Mean));
            }
            if (categorical.Length > 0)
            {
                pipeline = pipeline.Append(ml.Transforms.Categorical.OneHotEncoding(InPlace(categorical)));
            }
            var features = FeatureColumns.SelectMany(c => c.Kind == TabularColumnKind.Numeric && c.MissingCount > 0
                ? new[] { c.Name, c.Name + MissingIndicatorSuffix } : [c.Name]).ToArray();
            return pipeline.Append(ml.Transforms.Concatenate(FeatureColumnName, features));
        }

        /// <inheritdoc/>
        public override string ToString() => Name;

        private IEstimator<ITransformer> LabelConversion(MLContext ml)
        {
            switch (Task)
            {
                case TabularTask.BinaryClassification:
                    var truth = Classes.Select(c => new KeyValuePair<string, bool>(c, c == PositiveClass));
                    return ml.Transforms.Conversion.MapValue(LabelColumnName, truth, TargetColumn);
                case TabularTask.MulticlassClassification:
                    var keys = ml.Data.LoadFromEnumerable(Classes.Select(c => new ClassName { Value = c }));
                    return ml.Transforms.Conversion.MapValueToKey(LabelColumnName, TargetColumn,
                        keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByOccurrence, keyData: keys);
                default:
                    return TargetColumn == LabelColumnName
                        ? new EstimatorChain<ITransformer>()
                        : ml.Transforms.CopyColumns(LabelColumnName, TargetColumn);
            }
        }

        private static InputOutputColumnPair[] InPlace(IEnumerable<TabularColumn> columns) =>
            columns.Select(c => new InputOutputColumnPair(c.Name)).ToArray();

        private void Check()
        {
            string Where() => $"Data set {Name}";
            var names = new HashSet<string>();
            foreach (var column in Columns)
            {
                if (column == null || string.IsNullOrWhiteSpace(column.Name) || column.Name.Contains(','))
                    throw new ArgumentException($"{Where()}: every column needs a name without commas.", nameof(Columns));
                if (!names.Add(column.Name))
                    throw new ArgumentException($"{Where()}: column '{column.Name}' is declared twice.", nameof(Columns));
            }
            var target = Columns.FirstOrDefault(c => c.Name == TargetColumn)
                ?? throw new ArgumentException($"{Where()}: the label column '{TargetColumn}' is not among the columns ({string.Join(", ", names)}).", nameof(TargetColumn));
            var wanted = Task == TabularTask.Regression ? TabularColumnKind.Numeric : TabularColumnKind.Categorical;
            if (target.Kind != wanted)
                throw new ArgumentException($"{Where()}: the label column '{TargetColumn}' of a {Task} task must be {wanted}, not {target.Kind}.", nameof(TargetColumn));
            foreach (var reserved in new[] { LabelColumnName, FeatureColumnName })
            {
                if (reserved != TargetColumn && names.Contains(reserved))
                    throw new ArgumentException($"{Where()}: a feature column may not be called '{reserved}' (the featurized output uses that name).", nameof(Columns));
            }
            foreach (var column in FeatureColumns.Where(c => c.Kind == TabularColumnKind.Numeric && c.MissingCount > 0))
            {
                if (names.Contains(column.Name + MissingIndicatorSuffix))
                    throw new ArgumentException($"{Where()}: column '{column.Name + MissingIndicatorSuffix}' would clash with the missing-value indicator of '{column.Name}'.", nameof(Columns));
            }
            switch (Task)
            {
                case TabularTask.Regression when Classes != null || PositiveClass != null:
                    throw new ArgumentException($"{Where()}: a regression task has no classes and no positive class.", nameof(Classes));
                case TabularTask.BinaryClassification when Classes is not { Count: 2 } || Classes[0] == Classes[1]:
                    throw new ArgumentException($"{Where()}: a binary task needs exactly two distinct classes, found {Describe(Classes)}.", nameof(Classes));
                case TabularTask.BinaryClassification when !Classes.Contains(PositiveClass):
                    throw new ArgumentException($"{Where()}: the positive class '{PositiveClass}' is not one of {Describe(Classes)}.", nameof(PositiveClass));
                case TabularTask.MulticlassClassification when Classes is not { Count: >= 2 } || Classes.Distinct().Count() != Classes.Count:
                    throw new ArgumentException($"{Where()}: a multiclass task needs two or more distinct classes, found {Describe(Classes)}.", nameof(Classes));
                case TabularTask.MulticlassClassification when PositiveClass != null:
                    throw new ArgumentException($"{Where()}: a multiclass task has no positive class.", nameof(PositiveClass));
            }
        }

        private static string Describe(IReadOnlyList<string> classes) => classes == null ? "none" : $"[{string.Join(", ", classes)}]";

        private sealed class ClassName
        {
            public string Value { get; set; }
        }
    }
}
