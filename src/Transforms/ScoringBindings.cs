using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The transformer applied to one input schema: checks the feature column, builds the output schema
    /// (input columns, then <c>Score</c> and <c>PredictedLabel</c>) and makes the getters of a scored row.
    /// </summary>
    internal sealed class ScoringBindings
    {
        private readonly int _inputColumnCount;

        public ScoringBindings(IHost host, BnMlpMulticlassTransformer transformer, DataViewSchema inputSchema)
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

            var builder = new DataViewSchema.Builder();
            builder.AddColumns(inputSchema);
            builder.AddColumn(DefaultColumnNames.Score, new VectorDataViewType(NumberDataViewType.Single, model.OutputCount),
                ScoreAnnotations(transformer.LabelKeyValues));
            builder.AddColumn(DefaultColumnNames.PredictedLabel, new KeyDataViewType(typeof(uint), model.OutputCount),
                PredictedLabelAnnotations(transformer.LabelKeyValues));
            OutputSchema = builder.ToSchema();
        }

        public DataViewSchema InputSchema { get; }

        public DataViewSchema OutputSchema { get; }

        public DataViewSchema.Column FeatureColumn { get; }

        public FoldedNetwork Network { get; }

        private int ScoreIndex => _inputColumnCount;

        private int PredictedLabelIndex => _inputColumnCount + 1;

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
        public bool ScoresActive(bool[] active) => active[ScoreIndex] || active[PredictedLabelIndex];

        /// <summary>Creates the scorer a row needs, or null when no score column is active.</summary>
        /// <param name="input">The row or cursor that is scored.</param>
        /// <param name="active">The active output columns.</param>
        /// <param name="blocks">Scores the rows of <paramref name="input"/> in blocks, or null to score each row alone.</param>
        public RowScorer CreateScorer(DataViewRow input, bool[] active, BlockScorer blocks = null)
        {
            if (!ScoresActive(active))
                return null;
            return blocks == null ? new RowScorer(Network, input, FeatureColumn, softmax: true) : new RowScorer(input, blocks, softmax: true);
        }

        public ValueGetter<TValue> GetGetter<TValue>(DataViewRow input, RowScorer scorer, bool[] active, DataViewSchema.Column column)
        {
            if (!active[column.Index])
                throw new InvalidOperationException($"Column '{column.Name}' is not active.");
            if (column.Index < _inputColumnCount)
                return input.GetGetter<TValue>(InputSchema[column.Index]);
            Delegate getter = column.Index == ScoreIndex
                ? (ValueGetter<VBuffer<float>>)scorer.GetScores
                : (ValueGetter<uint>)scorer.GetPredictedLabel;
            return getter as ValueGetter<TValue>
                ?? throw new InvalidOperationException($"Column '{column.Name}' is of type {column.Type}, not {typeof(TValue)}.");
        }

        /// <summary>Like ML.NET's multiclass scorer: slot names when the label's key values are text.</summary>
        private static DataViewSchema.Annotations ScoreAnnotations(DataViewSchema.Annotations keyValues)
        {
            var builder = new DataViewSchema.Annotations.Builder();
            var type = keyValues.Schema.GetColumnOrNull(AnnotationUtils.Kinds.KeyValues)?.Type;
            if (type is VectorDataViewType { ItemType: TextDataViewType, Size: var size })
            {
                builder.AddSlotNames(size, (ref VBuffer<ReadOnlyMemory<char>> dst) =>
                    keyValues.GetValue(AnnotationUtils.Kinds.KeyValues, ref dst));
            }
            AddText(builder, AnnotationUtils.Kinds.ScoreColumnKind, AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification);
            AddText(builder, AnnotationUtils.Kinds.ScoreValueKind, AnnotationUtils.Const.ScoreValueKind.Score);
            return builder.ToAnnotations();
        }

        private static DataViewSchema.Annotations PredictedLabelAnnotations(DataViewSchema.Annotations keyValues)
        {
            var builder = new DataViewSchema.Annotations.Builder();
            builder.Add(keyValues, _ => true);
            AddText(builder, AnnotationUtils.Kinds.ScoreColumnKind, AnnotationUtils.Const.ScoreColumnKind.MulticlassClassification);
            AddText(builder, AnnotationUtils.Kinds.ScoreValueKind, AnnotationUtils.Const.ScoreValueKind.PredictedLabel);
            return builder.ToAnnotations();
        }

        private static void AddText(DataViewSchema.Annotations.Builder builder, string kind, string value) =>
            builder.Add(kind, TextDataViewType.Instance, (ref ReadOnlyMemory<char> dst) => dst = value.AsMemory());
    }
}
