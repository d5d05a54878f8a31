using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML;
using MLNet.BatchNorm.TestSupport;

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
            foreach (var scores in ScoreColumn.Rows(model.Transform(ml.Data.LoadFromEnumerable(test))))
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
            foreach (var values in ScoreColumn.BinaryRows(model.Transform(ml.Data.LoadFromEnumerable(points))))
                output.Write(MemoryMarshal.AsBytes(values.AsSpan()));
            Console.WriteLine($"Scored {rows} binary rows with {arguments.ScoreModel} into {arguments.ScoreOutput}.");
            return 0;
        }
    }
}
