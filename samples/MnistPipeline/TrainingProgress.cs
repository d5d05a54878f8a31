using System;
using MLNet.BatchNorm;
using Spectre.Console;

namespace MnistPipeline
{
    /// <summary>
    /// Shows BnMlp's per-epoch metrics while <c>Fit</c> runs: a live progress bar in a terminal, one line per epoch when
    /// the output is redirected (CI, files).
    /// </summary>
    public static class TrainingProgress
    {
        /// <summary>Runs <paramref name="fit"/>, which receives the progress sink to put in the trainer's options. The bar's
        /// length is the number of epochs the first report gives (the trainer may choose it from the data's size).</summary>
        public static T Show<T>(Func<IProgress<BnMlpEpochMetrics>, T> fit)
        {
            if (!AnsiConsole.Profile.Capabilities.Interactive)
                return fit(new Sink(m => Console.WriteLine("  " + m)));
            T result = default;
            AnsiConsole.Progress()
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .Start(context =>
                {
                    var task = context.AddTask("training");
                    result = fit(new Sink(m =>
                    {
                        task.MaxValue = m.NumberOfEpochs;
                        task.Description = Markup.Escape(Describe(m));
                        task.Value = m.Epoch - 1 + (m.FractionOfEpoch ?? 0);
                    }));
                    task.Value = task.MaxValue;
                });
            return result;
        }

        private static string Describe(BnMlpEpochMetrics m) =>
            FormattableString.Invariant($"epoch {m.Epoch}/{m.NumberOfEpochs}  loss {m.TrainingLoss:F4}{(m.IsPartial ? " so far" : "")}") +
            (m.ValidationAccuracy is double accuracy ? FormattableString.Invariant($"  validation {accuracy:P2}") : "") +
            FormattableString.Invariant($"  {m.RowsPerSecond:N0} rows/s");

        /// <summary>Reports on the training thread as they come (unlike <see cref="Progress{T}"/>, which posts them).</summary>
        private sealed class Sink(Action<BnMlpEpochMetrics> report) : IProgress<BnMlpEpochMetrics>
        {
            public void Report(BnMlpEpochMetrics value) => report(value);
        }
    }
}
