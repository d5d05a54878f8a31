using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MnistPipeline
{
    /// <summary>Loads a saved model in a fresh process and writes the test set's scores, for bit-for-bit comparison.</summary>
    public static class SavedModelScoring
    {
        public static int Run(Arguments arguments)
        {
            var ml = new MLContext(seed: arguments.Seed);
            var model = ml.Model.Load(arguments.ScoreModel, out _);
            var (_, test) = arguments.LoadData();
            using var output = File.Create(arguments.ScoreOutput);
            foreach (var scores in ScoresOf(model.Transform(ml.Data.LoadFromEnumerable(test))))
                output.Write(MemoryMarshal.AsBytes(scores.AsSpan()));
            Console.WriteLine($"Scored {test.Length} rows with {arguments.ScoreModel} into {arguments.ScoreOutput}.");
            return 0;
        }

        /// <summary>The Score column of <paramref name="scored"/>, row by row.</summary>
        public static System.Collections.Generic.IEnumerable<float[]> ScoresOf(IDataView scored)
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
