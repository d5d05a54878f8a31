using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Reflection;
using System.Threading;
using Microsoft.ML;
using Microsoft.ML.Transforms;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>
    /// Random search over the <see cref="BnMlpTrainer.Options"/> fields marked with <see cref="TuningRangeAttribute"/> or
    /// <see cref="TuningChoicesAttribute"/>, scored by accuracy on a validation part held out of the training data (the
    /// test data is never seen). The sequence of candidates depends only on the seed: with the same seed and
    /// <see cref="MaxTrials"/> reached before <see cref="TimeBudget"/>, the result repeats exactly.
    /// </summary>
    public sealed class BnMlpSearch
    {
        private static readonly FieldInfo[] TunedFields = typeof(BnMlpTrainer.Options).GetFields()
            .Where(f => f.IsDefined(typeof(TuningRangeAttribute)) || f.IsDefined(typeof(TuningChoicesAttribute))).ToArray();

        /// <summary>The same fields as a search space, which draws them in the same order.</summary>
        private static readonly SearchSpace Space = SearchSpace.FromAttributes(typeof(BnMlpTrainer.Options));

        private readonly int _seed;

        /// <summary>Creates a search.</summary>
        /// <param name="seed">Seed of the candidate sequence, the validation split and every trial's <see cref="MLContext"/>.</param>
        public BnMlpSearch(int seed = 1) => _seed = seed;

        /// <summary>Most candidates to train. Default 12.</summary>
        public int MaxTrials { get; init; } = 12;

        /// <summary>The search stops when this much time has passed, inside the trial then running (which is left out of
        /// the result). Default 2 minutes.</summary>
        public TimeSpan TimeBudget { get; init; } = TimeSpan.FromMinutes(2);

        /// <summary>Fraction of the training rows held out to score candidates. Default 0.2.</summary>
        public double ValidationFraction { get; init; } = 0.2;

        /// <summary>Label column, before key conversion. Default "Label".</summary>
        public string LabelColumnName { get; init; } = "Label";

        /// <summary>Feature column. Default "Features".</summary>
        public string FeatureColumnName { get; init; } = "Features";

        /// <summary>Called after each trial (for progress display).</summary>
        public Action<BnMlpTrial> TrialFinished { get; init; }

        /// <summary>Runs the search on <paramref name="train"/>; the first candidate is the default options.</summary>
        /// <param name="train">The training data; a part is held out to score the candidates.</param>
        /// <param name="cancellation">Stops the search inside the running trial (its Fit throws).</param>
        /// <exception cref="OperationCanceledException"><paramref name="cancellation"/> was cancelled.</exception>
        /// <exception cref="TimeoutException"><see cref="TimeBudget"/> ran out before the first trial finished.</exception>
        public BnMlpSearchResult Run(IDataView train, CancellationToken cancellation = default)
        {
            ArgumentNullException.ThrowIfNull(train);
            var split = new MLContext(_seed).Data.TrainTestSplit(train, ValidationFraction, seed: _seed);
            var random = new Random(_seed);
            var trials = new List<BnMlpTrial>();
            var clock = Stopwatch.StartNew();
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            budget.CancelAfter(TimeBudget);
            for (int number = 1; number <= MaxTrials && !budget.IsCancellationRequested; number++)
            {
                var options = NewOptions();
                if (number > 1)
                    Space.Sample(random).ApplyTo(options);
                BnMlpTrial trial;
                try
                {
                    trial = Evaluate(number, options, split.TrainSet, split.TestSet, budget.Token);
                }
                catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                {
                    break; // the budget ran out inside this trial
                }
                trials.Add(trial);
                TrialFinished?.Invoke(trial);
            }
            cancellation.ThrowIfCancellationRequested();
            if (trials.Count == 0)
                throw new TimeoutException($"The time budget ({TimeBudget}) ran out before the first trial finished.");
            var best = trials.OrderByDescending(t => t.ValidationAccuracy).ThenBy(t => t.ValidationLogLoss).First();
            return new BnMlpSearchResult { Best = best, Trials = trials, Elapsed = clock.Elapsed };
        }

        /// <summary>A description of the tuned fields' values, e.g. "HiddenLayerSizes=256,128 LearningRate=0.001".</summary>
        public static string Describe(BnMlpTrainer.Options options) =>
            string.Join(" ", TunedFields.Select(f => $"{f.Name}={Format(f.GetValue(options))}"));

        private BnMlpTrainer.Options NewOptions() => new() { LabelColumnName = LabelColumnName, FeatureColumnName = FeatureColumnName };

        private BnMlpTrial Evaluate(int number, BnMlpTrainer.Options options, IDataView train, IDataView validation, CancellationToken cancellation)
        {
            var ml = new MLContext(_seed);
            var pipeline = ml.Transforms.Conversion.MapValueToKey(LabelColumnName, keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
                .Append(ml.MulticlassClassification.Trainers.BnMlp(options));
            // After the trainer exists: CancelExecution reaches the components registered with the context so far.
            using var stop = cancellation.Register(ml.CancelExecution);
            cancellation.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            var model = pipeline.Fit(train);
            double fitSeconds = clock.Elapsed.TotalSeconds;
            var metrics = ml.MulticlassClassification.Evaluate(model.Transform(validation), LabelColumnName);
            return new BnMlpTrial
            {
                Number = number, Options = options, Configuration = Describe(options),
                ValidationAccuracy = metrics.MicroAccuracy, ValidationLogLoss = metrics.LogLoss, FitSeconds = fitSeconds,
            };
        }

        private static string Format(object value) => value switch
        {
            int[] sizes => string.Join(",", sizes),
            float f => f.ToString("G3", CultureInfo.InvariantCulture),
            null => "auto",
            _ => Convert.ToString(value, CultureInfo.InvariantCulture),
        };
    }
}
