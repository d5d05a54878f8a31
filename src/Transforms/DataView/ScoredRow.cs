using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.BatchNorm
{
    /// <summary>An input row with the model's score columns appended, scored when first asked.</summary>
    internal sealed class ScoredRow : DataViewRow
    {
        private readonly ScoringBindings _bindings;
        private readonly DataViewRow _input;
        private readonly bool[] _active;
        private readonly RowScorer _scorer;

        /// <param name="bindings">The transformer applied to the input's schema.</param>
        /// <param name="input">The input row or cursor.</param>
        /// <param name="active">The active output columns.</param>
        /// <param name="blocks">Scores <paramref name="input"/>'s rows in blocks, or null to score each row alone.</param>
        public ScoredRow(ScoringBindings bindings, DataViewRow input, bool[] active, BlockScorer blocks = null)
        {
            _bindings = bindings;
            _input = input;
            _active = active;
            _scorer = bindings.CreateScorer(input, active, blocks);
        }

        public override DataViewSchema Schema => _bindings.OutputSchema;

        public override long Position => _input.Position;

        public override long Batch => _input.Batch;

        public override ValueGetter<DataViewRowId> GetIdGetter() => _input.GetIdGetter();

        public override bool IsColumnActive(DataViewSchema.Column column) => _active[column.Index];

        public override ValueGetter<TValue> GetGetter<TValue>(DataViewSchema.Column column) =>
            _bindings.GetGetter<TValue>(_input, _scorer, _active, column);
    }
}
