using System;
using System.Threading;
using Microsoft.ML;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>
    /// One trainer of a tabular comparison: how to make its estimator from its Options class, and the
    /// <see cref="SearchSpace"/> tuning draws from. The estimator receives <see cref="TabularDataset.Featurize"/>'s
    /// output (<see cref="TabularDataset.LabelColumnName"/>, <see cref="TabularDataset.FeatureColumnName"/>) and must
    /// produce the columns ML.NET's evaluator for the task reads (Score, and PredictedLabel for classification).
    /// </summary>
    public sealed class TabularContender
    {
        private readonly Func<MLContext, Hyperparameters, CancellationToken, IEstimator<ITransformer>> _create;

        private TabularContender(string name, string trainer, TabularTask task, SearchSpace searchSpace,
            Func<MLContext, Hyperparameters, CancellationToken, IEstimator<ITransformer>> create)
        {
            Name = name;
            Trainer = trainer;
            Task = task;
            SearchSpace = searchSpace;
            _create = create;
        }

        /// <summary>The name contenders share across tasks, e.g. "Lbfgs" for LbfgsLogisticRegression and
        /// LbfgsMaximumEntropy; leaderboards rank by it.</summary>
        public string Name { get; }

        /// <summary>What exactly is trained, e.g. "NormalizeMinMax + LbfgsLogisticRegression".</summary>
        public string Trainer { get; }

        /// <summary>The task the trainer fits.</summary>
        public TabularTask Task { get; }

        /// <summary>The options tuning draws (an empty space: the defaults only).</summary>
        public SearchSpace SearchSpace { get; }

        /// <summary>Creates a contender from a trainer's Options class.</summary>
        /// <typeparam name="TOptions">The Options class; the search space names its public fields.</typeparam>
        /// <param name="name">The name shared across tasks.</param>
        /// <param name="trainer">What exactly is trained.</param>
        /// <param name="task">The task.</param>
        /// <param name="newOptions">New options with the defaults wanted (label and feature columns set); called per fit.</param>
        /// <param name="createEstimator">The estimator for given options (add a normalizer here if the trainer needs one).</param>
        /// <param name="searchSpace">The options tuning draws; null for none.</param>
        /// <exception cref="ArgumentException">The search space names an option the Options class lacks, or values that do not fit it.</exception>
        public static TabularContender Create<TOptions>(string name, string trainer, TabularTask task, Func<TOptions> newOptions,
            Func<MLContext, TOptions, IEstimator<ITransformer>> createEstimator, SearchSpace searchSpace = null)
            where TOptions : class, new()
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name);
            ArgumentException.ThrowIfNullOrWhiteSpace(trainer);
            ArgumentNullException.ThrowIfNull(newOptions);
            ArgumentNullException.ThrowIfNull(createEstimator);
            searchSpace ??= new SearchSpace();
            searchSpace.Check(typeof(TOptions));
            return new TabularContender(name, trainer, task, searchSpace, (ml, hyperparameters, cancellation) =>
            {
                var options = newOptions();
                hyperparameters.ApplyTo(options);
                // BnMlp stops within a batch on its own token; ML.NET's trainers stop through MLContext.CancelExecution.
                if (options is BnMlpOptionsBase bnMlp)
                    bnMlp.CancellationToken = cancellation;
                return createEstimator(ml, options);
            });
        }

        /// <summary>The estimator with <paramref name="hyperparameters"/> applied to new default options.</summary>
        /// <param name="ml">The context of this fit.</param>
        /// <param name="hyperparameters">Values for some options; <see cref="Hyperparameters.Defaults"/> for none.</param>
        /// <param name="cancellation">Stops a BnMlp fit within one batch.</param>
        public IEstimator<ITransformer> CreateEstimator(MLContext ml, Hyperparameters hyperparameters, CancellationToken cancellation = default)
        {
            ArgumentNullException.ThrowIfNull(ml);
            ArgumentNullException.ThrowIfNull(hyperparameters);
            return _create(ml, hyperparameters, cancellation);
        }

        /// <inheritdoc/>
        public override string ToString() => $"{Name} ({Trainer})";
    }
}
