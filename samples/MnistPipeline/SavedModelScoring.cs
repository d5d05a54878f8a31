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
    }
}
