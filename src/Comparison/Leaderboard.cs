using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>The results of a comparison, best micro-accuracy first; as Markdown or CSV.</summary>
    public sealed class Leaderboard
    {
        internal Leaderboard(IEnumerable<LeaderboardRow> rows) =>
            Rows = rows.OrderByDescending(r => r.MicroAccuracy).ThenBy(r => r.FitSeconds).ToList();

        /// <summary>The rows, best micro-accuracy first.</summary>
        public IReadOnlyList<LeaderboardRow> Rows { get; }

        /// <summary>A Markdown table.</summary>
        public string ToMarkdown()
        {
            var text = new StringBuilder();
            text.AppendLine("| # | trainer | configuration | accuracy (micro) | accuracy (macro) | log-loss | Fit s | predict µs | batch rows/s | model KiB |");
            text.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
            int rank = 1;
            foreach (var r in Rows)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"| {rank++} | {r.Trainer} | {r.Configuration} | {r.MicroAccuracy:P2} | {r.MacroAccuracy:P2} | {r.LogLoss:F3} | {r.FitSeconds:F1} | {r.PredictionMicroseconds:F1} | {r.BatchRowsPerSecond:N0} | {r.ModelBytes / 1024.0:N0} |"));
            }
            return text.ToString();
        }

        /// <summary>Comma-separated values with a header line; numbers in the invariant culture, accuracies as fractions.</summary>
        public string ToCsv()
        {
            var text = new StringBuilder();
            text.AppendLine("trainer,configuration,micro_accuracy,macro_accuracy,log_loss,fit_seconds,predict_microseconds,batch_rows_per_second,model_bytes,folds");
            foreach (var r in Rows)
            {
                text.AppendLine(string.Create(CultureInfo.InvariantCulture,
                    $"{Quote(r.Trainer)},{Quote(r.Configuration)},{r.MicroAccuracy:R},{r.MacroAccuracy:R},{r.LogLoss:R},{r.FitSeconds:R},{r.PredictionMicroseconds:R},{r.BatchRowsPerSecond:R},{r.ModelBytes},{r.Folds}"));
            }
            return text.ToString();
        }

        private static string Quote(string value) => value.Contains(',') || value.Contains('"') ? $"\"{value.Replace("\"", "\"\"")}\"" : value;
    }
}
