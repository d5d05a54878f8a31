using System.Collections.Generic;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.BatchNorm
{
    /// <summary>Scores single rows; what <see cref="PredictionEngine{TSrc, TDst}"/> runs.</summary>
    internal sealed class ScoringRowMapper : IRowToRowMapper
    {
        private readonly ScoringBindings _bindings;

        public ScoringRowMapper(ScoringBindings bindings) => _bindings = bindings;

        public DataViewSchema InputSchema => _bindings.InputSchema;

        public DataViewSchema OutputSchema => _bindings.OutputSchema;

        public IEnumerable<DataViewSchema.Column> GetDependencies(IEnumerable<DataViewSchema.Column> dependingColumns) =>
            _bindings.InputColumnsFor(_bindings.ActiveMask(dependingColumns));

        public DataViewRow GetRow(DataViewRow input, IEnumerable<DataViewSchema.Column> activeColumns) =>
            new ScoredRow(_bindings, input, _bindings.ActiveMask(activeColumns));
    }
}
