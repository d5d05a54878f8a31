using System.Collections.Generic;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.BatchNorm.TestSupport
{
    /// <summary>Reads a classifier's vector Score column, for comparing scores bit for bit.</summary>
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
    }
}
