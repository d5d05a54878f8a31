using System;
using System.Globalization;
using System.IO;
using System.Linq;
using Microsoft.ML;
using MLNet.BatchNorm;
using MLNet.BatchNorm.Comparison;
using MLNet.BatchNorm.TestSupport;

namespace MnistPipeline
{
    /// <summary>--compare: a BnMlp hyperparameter search on the training rows, then the leaderboard against ML.NET's trainers.</summary>
    public static class CompareMode
    {
        private const int DefaultBudgetSeconds = 120;
        private const int DefaultTrials = 12;

        public static int Run(Arguments arguments)
        {
            var (trainRows, testRows) = arguments.LoadData();
            Console.WriteLine($"Data: {arguments.Data}, {trainRows.Length} training rows, {testRows.Length} test rows, seed {arguments.Seed}.");
            var ml = new MLContext(arguments.Seed);
            var train = ml.Data.LoadFromEnumerable(trainRows);
            var test = ml.Data.LoadFromEnumerable(testRows);

            int budgetSeconds = arguments.SearchBudgetSeconds ?? DefaultBudgetSeconds;
            int trials = arguments.SearchTrials ?? DefaultTrials;
            Console.WriteLine($"BnMlp search: up to {trials} candidates in {budgetSeconds} s, scored on 20% of the training rows.");
            var search = new BnMlpSearch(arguments.Seed)
            {
                MaxTrials = trials,
                TimeBudget = TimeSpan.FromSeconds(budgetSeconds),
                TrialFinished = t => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  trial {t.Number,2}: validation accuracy {t.ValidationAccuracy:P2}, Fit {t.FitSeconds,5:F1} s  {t.Configuration}")),
            }.Run(train);
            Console.WriteLine($"Best: trial {search.Best.Number} ({search.Elapsed.TotalSeconds:F0} s in all).");

            var contenders = DefaultContenders.Multiclass().Append(DefaultContenders.BnMlp($"tuned: {search.Best.Configuration}", search.Best.Options));
            var comparison = new ModelComparison<Digit>(arguments.Seed)
            {
                LatencySample = testRows,
                ContenderFinished = r => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {r.Trainer} ({r.Configuration}): {r.MicroAccuracy:P2}, Fit {r.FitSeconds:F1} s")),
            };
            Console.WriteLine("Leaderboard (same split for every contender):");
            var board = comparison.Run(contenders, train, test);
            Console.WriteLine();
            Console.WriteLine(board.ToMarkdown());
            Directory.CreateDirectory(arguments.OutputDirectory);
            string stem = Path.Combine(arguments.OutputDirectory, $"leaderboard-{arguments.Data}");
            File.WriteAllText(stem + ".md", board.ToMarkdown());
            File.WriteAllText(stem + ".csv", board.ToCsv());
            Console.WriteLine($"Wrote {stem}.md and {stem}.csv.");
            return 0;
        }
    }
}
