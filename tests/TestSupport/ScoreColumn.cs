using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.BatchNorm.TestSupport
{
    /// <summary>Reads a classifier's score columns, for comparing scores bit for bit.</summary>
    public static class ScoreColumn
    {
        /// <summary>The Score column of <paramref name="scored"/>, row by row.</summary>
        public static IEnumerable<float[]> Rows(IDataView scored)
        {
            var column = scored.Schema["Score"];
            using var cursor = scored.GetRowCursor([column]);
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> value = default;
            while (cursor.MoveNext())
            {
                getter(ref value);
                yield return value.DenseValues().ToArray();
            }
        }

        /// <summary>A binary classifier's Score, Probability and PredictedLabel (1 or 0) of <paramref name="scored"/>, row by row.</summary>
        public static IEnumerable<float[]> BinaryRows(IDataView scored)
        {
            var score = scored.Schema["Score"];
            var probability = scored.Schema["Probability"];
            var predicted = scored.Schema["PredictedLabel"];
            using var cursor = scored.GetRowCursor([score, probability, predicted]);
            var getScore = cursor.GetGetter<float>(score);
            var getProbability = cursor.GetGetter<float>(probability);
            var getPredicted = cursor.GetGetter<bool>(predicted);
            float s = 0, p = 0;
            bool label = false;
            while (cursor.MoveNext())
            {
                getScore(ref s);
                getProbability(ref p);
                getPredicted(ref label);
                yield return [s, p, label ? 1 : 0];
            }
        }
    }
}
