using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Internal.Utilities;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The transformer applied to one input schema: checks the feature column, builds the output schema (input columns,
    /// then <c>Score</c> and <c>PredictedLabel</c> for a classifier, <c>Score</c> for a regressor) and makes the getters of
    /// a scored row.
    /// </summary>
    internal sealed class ScoringBindings
    {
        private readonly int _inputColumnCount;
        private readonly bool _isClassifier;

        public ScoringBindings(IHost host, BnMlpTransformerBase transformer, DataViewSchema inputSchema)
        {
            var model = transformer.Model;
            var feature = inputSchema.GetColumnOrNull(transformer.FeatureColumnName)
                ?? throw host.ExceptSchemaMismatch(nameof(inputSchema), "feature", transformer.FeatureColumnName);
            string expected = $"vector of {model.InputCount} Single values";
            if (feature.Type is not VectorDataViewType vector || vector.ItemType != NumberDataViewType.Single)
                throw host.ExceptSchemaMismatch(nameof(inputSchema), "feature", feature.Name, expected, feature.Type.ToString());
            // A vector of unknown size is accepted here and checked row by row.
            if (vector.Size != 0 && vector.Size != model.InputCount)
                throw host.ExceptSchemaMismatch(nameof(inputSchema), "feature", feature.Name, expected, $"a vector of {vector.Size}");

            InputSchema = inputSchema;
            FeatureColumn = feature;
            Network = model.Network;
            _inputColumnCount = inputSchema.Count;

            // Like ML.NET's scorers: the score columns of this transformer form a set numbered one above any in the input.
            uint scoreSet = checked(inputSchema.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1);
            var builder = new DataViewSchema.Builder();
            builder.AddColumns(inputSchema);
            if (transformer is BnMlpMulticlassTransformer classifier)
            {
                _isClassifier = true;
                builder.AddColumn(DefaultColumnNames.Score, new VectorDataViewType(NumberDataViewType.Single, model.OutputCount),
                    ScoreAnnotations(classifier.LabelKeyValues, scoreSet));
                builder.AddColumn(DefaultColumnNames.PredictedLabel, new KeyDataViewType(typeof(uint), model.OutputCount),
                    PredictedLabelAnnotations(classifier.LabelKeyValues, scoreSet));
            }
            else
            {
                builder.AddColumn(DefaultColumnNames.Score, NumberDataViewType.Single, RegressionScoreAnnotations(scoreSet));
            }
            OutputSchema = builder.ToSchema();
        }

        public DataViewSchema InputSchema { get; }

        public DataViewSchema OutputSchema { get; }

        public DataViewSchema.Column FeatureColumn { get; }

        public FoldedNetwork Network { get; }

        private int ScoreIndex => _inputColumnCount;

        /// <summary>The classifier's <c>PredictedLabel</c> column; -1 for a regressor, which has none.</summary>
        private int PredictedLabelIndex => _isClassifier ? _inputColumnCount + 1 : -1;

        /// <summary>Which output columns are active, as a mask over <see cref="OutputSchema"/>.</summary>
        public bool[] ActiveMask(IEnumerable<DataViewSchema.Column> columns)
        {
            var active = new bool[OutputSchema.Count];
            foreach (var column in columns)
                active[column.Index] = true;
            return active;
        }

        /// <summary>The input columns needed to produce the active output columns.</summary>
        public IEnumerable<DataViewSchema.Column> InputColumnsFor(bool[] active)
        {
            var needed = new bool[_inputColumnCount];
            for (int i = 0; i < _inputColumnCount; i++)
                needed[i] = active[i];
            if (ScoresActive(active))
                needed[FeatureColumn.Index] = true;
            return InputSchema.Where(c => needed[c.Index]);
        }

        /// <summary>Whether a score column is active, so that rows are scored at all.</summary>
        public bool ScoresActive(bool[] active) => active[ScoreIndex] || (_isClassifier && active[PredictedLabelIndex]);

        /// <summary>Creates the scorer a row needs, or null when no score column is active.</summary>
        /// <param name="input">The row or cursor that is scored.</param>
        /// <param name="active">The active output columns.</param>
        /// <param name="blocks">Scores the rows of <paramref name="input"/> in blocks, or null to score each row alone.</param>
        public RowScorer CreateScorer(DataViewRow input, bool[] active, BlockScorer blocks = null)
        {
            if (!ScoresActive(active))
                return null;
            return blocks == null ? new RowScorer(Network, input, FeatureColumn, softmax: _isClassifier) : new RowScorer(input, blocks, softmax: _isClassifier);
        }

        public ValueGetter<TValue> GetGetter<TValue>(DataViewRow input, RowScorer scorer, bool[] active, DataViewSchema.Column column)
        {
            if (!active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' is not active.");
            if (column.Index < _inputColumnCount)
                return input.GetGetter<TValue>(InputSchema[column.Index]);
            Delegate getter = column.Index != ScoreIndex ? (ValueGetter<uint>)scorer.GetPredictedLabel
                : _isClassifier ? (ValueGetter<VBuffer<float>>)scorer.GetScores
                : (ValueGetter<float>)scorer.GetScore;
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}, not {typeof(TValue)}.");
        }

        /// <summary>
        /// What ML.NET's multiclass scorer gives its score column, and its trainers promise in <c>GetOutputSchema</c>
        /// (<c>AnnotationUtils.AnnotationsForMulticlassScoreColumn</c>): the label's key values as training label values
        /// (and as slot names when they are text), and the score set's id, column kind and value kind.
        /// </summary>
        private static DataViewSchema.Annotations ScoreAnnotations(DataViewSchema.Annotations keyValues, uint scoreSet)
        {
            var builder = new DataViewSchema.Annotations.Builder();
            if (keyValues.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues)?.Type is VectorDataViewType type)
            {
                Utils.MarshalActionInvoke(AddTrainingLabelValues<int>, type.ItemType.RawType, builder, keyValues, type);
                if (type.ItemType is TextDataViewType)
                {
                    builder.AddSlotNames(type.Size, (ref VBuffer<ReadOnlyMemory<char>> dst) =>
                        keyValues.GetValue(AnnotationUtils.Kinds.KeyValues, ref dst));
                }
            }
            AddScoreSet(builder, scoreSet, AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification, AnnotationUtils.Const.ScoreValueKind.Score);
            return builder.ToAnnotations();
        }

        private static void AddTrainingLabelValues<T>(DataViewSchema.Annotations.Builder builder, DataViewSchema.Annotations keyValues, VectorDataViewType type) =>
            builder.Add(AnnotationUtils.Kinds.TrainingLabelValues, type, (ref VBuffer<T> dst) => keyValues.GetValue(AnnotationUtils.Kinds.KeyValues, ref dst));

        private static DataViewSchema.Annotations RegressionScoreAnnotations(uint scoreSet)
        {
            var builder = new DataViewSchema.Annotations.Builder();
            AddScoreSet(builder, scoreSet, AnnotationUtils.Const.ScoreColumnKind.Regression, AnnotationUtils.Const.ScoreValueKind.Score);
            return builder.ToAnnotations();
        }

        private static DataViewSchema.Annotations PredictedLabelAnnotations(DataViewSchema.Annotations keyValues, uint scoreSet)
        {
            var builder = new DataViewSchema.Annotations.Builder();
            builder.Add(keyValues, _ => true);
            AddScoreSet(builder, scoreSet, AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification, AnnotationUtils.Const.ScoreValueKind.PredictedLabel);
            return builder.ToAnnotations();
        }

        /// <summary>The annotations every column of an ML.NET scorer's output carries
        /// (<c>AnnotationUtils.GetTrainerOutputAnnotation</c>).</summary>
        private static void AddScoreSet(DataViewSchema.Annotations.Builder builder, uint scoreSet, string columnKind, string valueKind)
        {
            builder.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, (ref uint dst) => dst = scoreSet);
            AddText(builder, AnnotationUtils.Kinds.ScoreColumnKind, columnKind);
            AddText(builder, AnnotationUtils.Kinds.ScoreValueKind, valueKind);
        }

        private static void AddText(DataViewSchema.Annotations.Builder builder, string kind, string value) =>
            builder.Add(kind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> dst) => dst = value.AsMemory());
    }
}
