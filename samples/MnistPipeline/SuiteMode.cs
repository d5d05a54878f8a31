using System;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using MLNet.BatchNorm.Comparison;
using ScottPlot;

namespace MnistPipeline
{
    /// <summary>--compare --suite: BnMlp against ML.NET's trainers on the tabular suite, with defaults or tuned.</summary>
    public static class SuiteMode
    {
        private const int DefaultBudgetSeconds = 10;
        private const int DefaultSeeds = 3;
        private const double Floor = -0.3; // lowest gap drawn: the rest of the chart stays readable when one contender fails a set

        public static int Run(Arguments arguments)
        {
            var suite = TabularSuite.LoadFromRepository();
            // No --sets (an empty list) runs them all.
            var sets = arguments.Sets is { Length: > 0 } names ? names.Select(name => suite[name]).ToArray() : suite.DataSets.ToArray();
            var seeds = Enumerable.Range(arguments.Seed, arguments.Seeds ?? DefaultSeeds).ToArray();
            var budget = TimeSpan.FromSeconds(arguments.SearchBudgetSeconds ?? DefaultBudgetSeconds);
            var known = new[] { TabularTask.BinaryClassification, TabularTask.MulticlassClassification, TabularTask.Regression }
                .SelectMany(DefaultContenders.Tabular).Select(c => c.Name).ToHashSet();
            if (arguments.Contenders?.FirstOrDefault(name => !known.Contains(name)) is string unknown)
            {
                Console.Error.WriteLine($"--contenders: unknown contender '{unknown}'; known: {string.Join(", ", known)}.");
                return 2;
            }
            string kind = arguments.Tuned ? "tuned" : "defaults";
            Console.WriteLine($"Tabular suite ({suite.Directory}): {sets.Length} data sets, 5-fold CV, seeds {string.Join(",", seeds)}, " +
                (arguments.Tuned ? $"tuned: random search of {(arguments.SearchTrials is int trials ? $"at most {trials} candidates in " : "")}{budget.TotalSeconds:F0} s per contender and outer fold." : "ML.NET defaults."));
            Directory.CreateDirectory(arguments.OutputDirectory);
            string stem = Path.Combine(arguments.OutputDirectory, $"tabular-{kind}");
            void Write(TabularLeaderboard board)
            {
                File.WriteAllText(stem + ".md", board.ToMarkdown());
                File.WriteAllText(stem + ".csv", board.ToCsv());
                SaveGaps(board, kind, stem + ".png");
            }
            var comparison = new TabularComparison
            {
                Seeds = seeds,
                // No --contenders runs them all; a contender a task lacks (Lbfgs for regression) is simply absent there.
                Contenders = arguments.Contenders is { Length: > 0 } chosen
                    ? task => DefaultContenders.Tabular(task).Where(c => chosen.Contains(c.Name)).ToArray()
                    : DefaultContenders.Tabular,
                Tune = arguments.Tuned,
                SearchBudget = budget,
                // A count of candidates, under a budget long enough never to stop them, makes the table independent of the machine's load.
                MaxTrials = arguments.SearchTrials ?? int.MaxValue,
                DataSetFinished = Write,
                FoldFinished = r => Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {r.DataSet} seed {r.Seed} fold {r.Fold}: {r.Contender,-10} {r.Score:F4}  Fit {r.FitSeconds,6:F2} s{(arguments.Tuned ? $"  {r.Trials} trials, {r.Hyperparameters}" : "")}")),
            };
            using var stop = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                stop.Cancel();
            };
            var board = comparison.Run(sets, stop.Token);
            Console.WriteLine();
            Console.WriteLine(board.ToMarkdown());
            Console.WriteLine($"Wrote {stem}.md, {stem}.csv and {stem}.png (rewritten after each data set).");
            return 0;
        }

        /// <summary>One marker per contender and data set at its gap to the best mean score there (0 = best).</summary>
        private static void SaveGaps(TabularLeaderboard board, string kind, string path)
        {
            var plot = new Plot();
            var positions = board.DataSets.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => (double)p.i);
            var markers = new[] { MarkerShape.FilledCircle, MarkerShape.FilledSquare, MarkerShape.FilledTriangleUp, MarkerShape.FilledDiamond, MarkerShape.Cross, MarkerShape.FilledTriangleDown };
            for (int c = 0; c < board.ContenderNames.Count; c++)
            {
                string name = board.ContenderNames[c];
                var rows = board.Rows.Where(r => r.Contender == name).ToArray();
                var rank = board.Ranks.Single(r => r.Contender == name);
                // Spread the contenders a little around each data set's position so equal gaps stay visible.
                double offset = (c - (board.ContenderNames.Count - 1) / 2.0) * 0.08;
                var points = plot.Add.ScatterPoints(rows.Select(r => positions[r.DataSet] + offset).ToArray(), rows.Select(r => Math.Max(r.GapToBest, Floor)).ToArray());
                points.LegendText = string.Create(CultureInfo.InvariantCulture, $"{name} (mean rank {rank.MeanRank:F2})");
                points.MarkerShape = markers[c % markers.Length];
                points.MarkerSize = name == "BnMlp" ? 11 : 8;
                foreach (var row in rows.Where(r => r.GapToBest < Floor))
                {
                    var label = plot.Add.Text(row.GapToBest.ToString("F2", CultureInfo.InvariantCulture), positions[row.DataSet] + offset, Floor);
                    label.LabelFontSize = 10;
                    label.LabelAlignment = Alignment.LowerCenter;
                    label.OffsetY = -8;
                }
            }
            plot.Axes.Bottom.SetTicks(positions.Values.ToArray(), positions.Keys.ToArray());
            plot.Axes.Bottom.TickLabelStyle.Rotation = 45;
            plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
            plot.Axes.Bottom.MinimumSize = 130;
            plot.Axes.SetLimitsY(Floor - 0.04, 0.03);
            plot.Axes.SetLimitsX(-0.6, board.DataSets.Count - 0.4);
            plot.Title($"Tabular suite, {kind}: gap to the best mean score per data set (AUC, accuracy or R²)");
            plot.YLabel($"mean score − best mean score (below {Floor:F1}: drawn at {Floor:F1}, value written)");
            plot.ShowLegend(Alignment.LowerLeft);
            plot.SavePng(path, 1100, 600);
        }
    }
}
