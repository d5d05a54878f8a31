using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>The results of a <see cref="TabularComparison"/>: every fold's score, per data set the mean ± standard
    /// deviation and rank of each contender, and each contender's mean rank; as Markdown or CSV.</summary>
    public sealed class TabularLeaderboard
    {
        internal TabularLeaderboard(IReadOnlyList<TabularFoldResult> foldResults)
        {
            FoldResults = foldResults;
            ContenderNames = foldResults.Select(r => r.Contender).Distinct().ToArray();
            DataSets = foldResults.Select(r => r.DataSet).Distinct().ToArray();
            Rows = DataSets.SelectMany(d => RankedRows(foldResults.Where(r => r.DataSet == d).ToArray())).ToArray();
            Ranks = ContenderNames.Select(c => RankOf(c, Rows.Where(r => r.Contender == c).ToArray()))
                .OrderBy(r => r.MeanRank).ToArray();
        }

        /// <summary>Every contender's score on every outer test fold, in the order run.</summary>
        public IReadOnlyList<TabularFoldResult> FoldResults { get; }

        /// <summary>The data sets, in the order run.</summary>
        public IReadOnlyList<string> DataSets { get; }

        /// <summary>The contenders' shared names, in the order run.</summary>
        public IReadOnlyList<string> ContenderNames { get; }

        /// <summary>One row per data set and contender, data sets in the order run, best rank first within each.</summary>
        public IReadOnlyList<TabularLeaderboardRow> Rows { get; }

        /// <summary>Each contender's mean rank, best first.</summary>
        public IReadOnlyList<TabularRank> Ranks { get; }

        /// <summary>Markdown: a table of mean ± standard deviation per data set (best in bold), the binary sets'
        /// accuracy, and the mean ranks.</summary>
        public string ToMarkdown()
        {
            var text = new StringBuilder();
            text.AppendLine($"| data set | task | metric | {string.Join(" | ", ContenderNames)} |");
            text.AppendLine($"|---|---|---|{string.Concat(ContenderNames.Select(_ => "---|"))}");
            foreach (string set in DataSets)
            {
                var rows = Rows.Where(r => r.DataSet == set).ToArray();
                text.Append($"| {set} | {TaskName(rows[0].Task)} | {rows[0].Metric} |");
                foreach (string contender in ContenderNames)
                    text.Append(' ').Append(Cell(rows.FirstOrDefault(r => r.Contender == contender), r => r.Mean, r => r.StandardDeviation)).Append(" |");
                text.AppendLine();
            }
            var binarySets = DataSets.Where(d => Rows.First(r => r.DataSet == d).Task == TabularTask.BinaryClassification).ToArray();
            if (binarySets.Length > 0)
            {
                text.AppendLine();
                text.AppendLine($"| binary data set | accuracy: {string.Join(" | ", ContenderNames)} |");
                text.AppendLine($"|---|{string.Concat(ContenderNames.Select(_ => "---|"))}");
                foreach (string set in binarySets)
                {
                    var rows = Rows.Where(r => r.DataSet == set).ToArray();
                    double best = rows.Max(r => r.MeanAccuracy);
                    text.Append($"| {set} |");
                    foreach (string contender in ContenderNames)
                    {
                        var row = rows.FirstOrDefault(r => r.Contender == contender);
                        text.Append(' ').Append(row == null ? "—" : Format(row.MeanAccuracy, row.AccuracyStandardDeviation, row.MeanAccuracy == best)).Append(" |");
                    }
                    text.AppendLine();
                }
            }
            text.AppendLine();
            text.AppendLine("| contender | mean rank | binary | multiclass | regression | data sets | best on |");
            text.AppendLine("|---|---|---|---|---|---|---|");
            foreach (var rank in Ranks)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {rank.Contender} | {rank.MeanRank:F2} | {RankCell(rank.MeanRankBinary)} | {RankCell(rank.MeanRankMulticlass)} | {RankCell(rank.MeanRankRegression)} | {rank.DataSets} | {rank.Wins} |"));
            }
            return text.ToString();
        }

        /// <summary>Comma-separated values, one line per data set and contender; numbers in the invariant culture.</summary>
        public string ToCsv()
        {
            var text = new StringBuilder();
            text.AppendLine("data_set,task,metric,contender,trainer,mean,standard_deviation,mean_accuracy,accuracy_standard_deviation,folds,rank,gap_to_best,mean_fit_seconds,mean_trials");
            foreach (var r in Rows)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"{r.DataSet},{TaskName(r.Task)},{r.Metric},{r.Contender},{Quote(r.Trainer)},{r.Mean:R},{r.StandardDeviation:R},{r.MeanAccuracy:R},{r.AccuracyStandardDeviation:R},{r.Folds},{r.Rank:R},{r.GapToBest:R},{r.MeanFitSeconds:R},{r.MeanTrials:R}"));
            }
            return text.ToString();
        }

        private static IEnumerable<TabularLeaderboardRow> RankedRows(TabularFoldResult[] results)
        {
            var summaries = results.GroupBy(r => r.Contender).Select(g => new
            {
                First = g.First(),
                Mean = g.Average(r => r.Score),
                Sd = StandardDeviation(g.Select(r => r.Score).ToArray()),
                Accuracy = g.Average(r => r.Accuracy),
                AccuracySd = StandardDeviation(g.Select(r => r.Accuracy).ToArray()),
                Folds = g.Count(),
                Fit = g.Average(r => r.FitSeconds),
                Trials = g.Average(r => (double)r.Trials),
            }).ToArray();
            double best = summaries.Max(s => s.Mean);
            return summaries.Select(s => new TabularLeaderboardRow
            {
                DataSet = s.First.DataSet, Task = s.First.Task, Metric = TabularScoring.MetricName(s.First.Task),
                Contender = s.First.Contender, Trainer = s.First.Trainer, Mean = s.Mean, StandardDeviation = s.Sd,
                MeanAccuracy = s.Accuracy, AccuracyStandardDeviation = s.AccuracySd, Folds = s.Folds, MeanFitSeconds = s.Fit, MeanTrials = s.Trials,
                // Ties share the mean of the ranks they span: 1 + (number better) + (number tied besides itself) / 2.
                Rank = 1 + summaries.Count(o => o.Mean > s.Mean) + (summaries.Count(o => o.Mean == s.Mean) - 1) / 2.0,
                GapToBest = s.Mean - best,
            }).OrderBy(r => r.Rank).ToArray();
        }

        private static TabularRank RankOf(string contender, TabularLeaderboardRow[] rows)
        {
            double MeanFor(TabularTask task) => rows.Where(r => r.Task == task).Select(r => r.Rank).DefaultIfEmpty(double.NaN).Average();
            return new TabularRank
            {
                Contender = contender, MeanRank = rows.Average(r => r.Rank), DataSets = rows.Length, Wins = rows.Count(r => r.GapToBest == 0),
                MeanRankBinary = MeanFor(TabularTask.BinaryClassification),
                MeanRankMulticlass = MeanFor(TabularTask.MulticlassClassification),
                MeanRankRegression = MeanFor(TabularTask.Regression),
            };
        }

        private static double StandardDeviation(double[] values)
        {
            if (values.Length < 2)
                return double.NaN;
            double mean = values.Average();
            return Math.Sqrt(values.Sum(v => (v - mean) * (v - mean)) / (values.Length - 1));
        }

        private static string Cell(TabularLeaderboardRow row, Func<TabularLeaderboardRow, double> mean, Func<TabularLeaderboardRow, double> sd) =>
            row == null ? "—" : Format(mean(row), sd(row), row.GapToBest == 0);

        private static string Format(double mean, double sd, bool best)
        {
            string cell = double.IsNaN(sd)
                ? mean.ToString("F3", CultureInfo.InvariantCulture)
                : string.Create(CultureInfo.InvariantCulture, $"{mean:F3} ± {sd:F3}");
            return best ? $"**{cell}**" : cell;
        }

        private static string RankCell(double rank) => double.IsNaN(rank) ? "—" : rank.ToString("F2", CultureInfo.InvariantCulture);

        private static string TaskName(TabularTask task) => task switch
        {
            TabularTask.BinaryClassification => "binary",
            TabularTask.MulticlassClassification => "multiclass",
            _ => "regression",
        };

        private static string Quote(string value) => value.Contains(',') || value.Contains('"') ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
    }
}
