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
    /// then the model kind's score columns, named, typed and annotated as ML.NET's trainers of that task name them) and
    /// makes the getters of a scored row.
    /// </summary>
    internal sealed class ScoringBindings
    {
        private readonly int _inputColumnCount;
        private readonly BnMlpModelKind _kind;

        /// <summary>What each column after the input's holds, in order.</summary>
        private readonly ScoreColumn[] _scoreColumns;

        public ScoringBindings(IHost host, BnMlpTransformerBase transformer, DataViewSchema inputSchema)
        {
            var model = transformer.Model;
            var feature = ColumnChecks.CheckScoringFeatures(host, nameof(inputSchema), inputSchema, transformer.FeatureColumnName, model.InputCount);
            Transformer = transformer;
            InputSchema = inputSchema;
            FeatureColumn = feature;
            Network = model.Network;
            _inputColumnCount = inputSchema.Count;
            _kind = transformer.Kind;

            // Like ML.NET's scorers: the score columns of this transformer form a set numbered one above any in the input.
            uint scoreSet = checked(inputSchema.GetMaxAnnotationKind(out _, AnnotationUtils.Kinds.ScoreColumnSetId) + 1);
            var builder = new DataViewSchema.Builder();
            builder.AddColumns(inputSchema);
            switch (_kind)
            {
                case BnMlpModelKind.Multiclass:
                    var keyValues = ((BnMlpMulticlassTransformer)transformer).LabelKeyValues;
                    _scoreColumns = [ScoreColumn.Score, ScoreColumn.PredictedLabel];
                    builder.AddColumn(DefaultColumnNames.Score, new VectorDataViewType(NumberDataViewType.Single, model.OutputCount),
                        ScoreAnnotations(keyValues, scoreSet));
                    builder.AddColumn(DefaultColumnNames.PredictedLabel, new KeyDataViewType(typeof(uint), model.OutputCount),
                        PredictedLabelAnnotations(keyValues, scoreSet));
                    break;
                case BnMlpModelKind.Binary:
                    // ML.NET's binary scorer puts the derived PredictedLabel first, then the mapper's Score and Probability,
                    // in the score column set.
                    _scoreColumns = [ScoreColumn.PredictedLabel, ScoreColumn.Score, ScoreColumn.Probability];
                    builder.AddColumn(DefaultColumnNames.PredictedLabel, BooleanDataViewType.Instance, BinaryAnnotations(ScoreColumn.PredictedLabel, scoreSet));
                    builder.AddColumn(DefaultColumnNames.Score, NumberDataViewType.Single, BinaryAnnotations(ScoreColumn.Score, scoreSet));
                    builder.AddColumn(DefaultColumnNames.Probability, NumberDataViewType.Single, BinaryAnnotations(ScoreColumn.Probability, scoreSet));
                    break;
                default:
                    _scoreColumns = [ScoreColumn.Score];
                    builder.AddColumn(DefaultColumnNames.Score, NumberDataViewType.Single, RegressionScoreAnnotations(scoreSet));
                    break;
            }
            OutputSchema = builder.ToSchema();
        }

        private enum ScoreColumn
        {
            Score,
            PredictedLabel,
            Probability,
        }

        /// <summary>The transformer these bindings apply.</summary>
        public BnMlpTransformerBase Transformer { get; }

        public DataViewSchema InputSchema { get; }

        public DataViewSchema OutputSchema { get; }

        public DataViewSchema.Column FeatureColumn { get; }

        public FoldedNetwork Network { get; }

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
        public bool ScoresActive(bool[] active) => Array.IndexOf(active, true, _inputColumnCount) >= 0;

        /// <summary>Creates the scorer a row needs, or null when no score column is active.</summary>
        /// <param name="input">The row or cursor that is scored.</param>
        /// <param name="active">The active output columns.</param>
        /// <param name="blocks">Scores the rows of <paramref name="input"/> in blocks, or null to score each row alone.</param>
        public RowScorer CreateScorer(DataViewRow input, bool[] active, BlockScorer blocks = null)
        {
            if (!ScoresActive(active))
                return null;
            return blocks == null ? new RowScorer(Network, input, FeatureColumn, _kind) : new RowScorer(input, blocks, _kind);
        }

        public ValueGetter<TValue> GetGetter<TValue>(DataViewRow input, RowScorer scorer, bool[] active, DataViewSchema.Column column)
        {
            if (!active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' is not active.");
            if (column.Index < _inputColumnCount)
                return input.GetGetter<TValue>(InputSchema[column.Index]);
            Delegate getter = (_scoreColumns[column.Index - _inputColumnCount], _kind) switch
            {
                (ScoreColumn.Score, BnMlpModelKind.Multiclass) => (ValueGetter<VBuffer<float>>)scorer.GetScores,
                (ScoreColumn.Score, _) => (ValueGetter<float>)scorer.GetScore,
                (ScoreColumn.PredictedLabel, BnMlpModelKind.Multiclass) => (ValueGetter<uint>)scorer.GetPredictedLabel,
                (ScoreColumn.PredictedLabel, _) => (ValueGetter<bool>)scorer.GetPredictedBoolean,
                _ => (ValueGetter<float>)scorer.GetProbability,
            };
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

        /// <summary>Exactly what ML.NET's binary scorer gives a calibrated model's columns, in its order: the kind, the
        /// score column set, then the value kind (with <c>IsNormalized</c> before it on <c>Probability</c>; the set after it
        /// on <c>PredictedLabel</c>).</summary>
        private static DataViewSchema.Annotations BinaryAnnotations(ScoreColumn column, uint scoreSet)
        {
            var builder = new DataViewSchema.Annotations.Builder();
            AddText(builder, AnnotationUtils.Kinds.ScoreColumnKind, AnnotationUtils.Const.ScoreColumnKind.BinaryClassification);
            ValueGetter<uint> getScoreSet = (ref uint dst) => dst = scoreSet;
            if (column == ScoreColumn.PredictedLabel)
            {
                AddText(builder, AnnotationUtils.Kinds.ScoreValueKind, AnnotationUtils.Const.ScoreValueKind.PredictedLabel);
                builder.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, getScoreSet);
                return builder.ToAnnotations();
            }
            builder.Add(AnnotationUtils.Kinds.ScoreColumnSetId, AnnotationUtils.ScoreColumnSetIdType, getScoreSet);
            if (column == ScoreColumn.Probability)
            {
                builder.Add(AnnotationUtils.Kinds.IsNormalized, BooleanDataViewType.Instance, (ref bool dst) => dst = true);
                AddText(builder, AnnotationUtils.Kinds.ScoreValueKind, AnnotationUtils.Const.ScoreValueKind.Probability);
            }
            else
            {
                AddText(builder, AnnotationUtils.Kinds.ScoreValueKind, AnnotationUtils.Const.ScoreValueKind.Score);
            }
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
