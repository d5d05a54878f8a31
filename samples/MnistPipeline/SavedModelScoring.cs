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

        /// <summary>Scores <paramref name="rows"/> rows of the binary toy (seed <see cref="Arguments.Seed"/>) with the saved
        /// binary classifier; writes each row's Score, Probability and PredictedLabel (1 or 0).</summary>
        public static int RunBinary(Arguments arguments, int rows)
        {
            var ml = new MLContext(seed: arguments.Seed);
            var model = ml.Model.Load(arguments.ScoreModel, out _);
            var points = ToyBinary.Generate(rows, arguments.Seed);
            using var output = File.Create(arguments.ScoreOutput);
            foreach (var values in BinaryColumnsOf(model.Transform(ml.Data.LoadFromEnumerable(points))))
                output.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            Console.WriteLine($"Scored {rows} binary rows with {arguments.ScoreModel} into {arguments.ScoreOutput}.");
            return 0;
        }

        /// <summary>A binary classifier's Score, Probability and PredictedLabel (1 or 0) of <paramref name="scored"/>, row by row.</summary>
        public static System.Collections.Generic.IEnumerable<float[]> BinaryColumnsOf(IDataView scored)
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
