using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using Microsoft.ML;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>
    /// Random search for one contender on one outer training fold: the defaults first, then candidates drawn from the
    /// contender's <see cref="SearchSpace"/>, each scored by its mean over inner stratified folds of the training rows
    /// only. Stops when the time budget runs out, cancelling the candidate in progress.
    /// </summary>
    internal sealed class TabularSearch
    {
        public required TabularDataset Data { get; init; }

        public required IDataView Source { get; init; }

        public required int SourceRows { get; init; }

        public required IReadOnlyList<int> Strata { get; init; }

        public required int InnerFolds { get; init; }

        public required TimeSpan Budget { get; init; }

        public required int MaxTrials { get; init; }

        /// <summary>The defaults and drawn candidates tried; the best (ties: the earlier) and how many completed.</summary>
        public (Hyperparameters Best, int Trials) Run(TabularContender contender, IReadOnlyList<int> trainingRows, int seed, int fold, CancellationToken cancellation)
        {
            int innerSeed = StableHash($"{seed}/{fold}/inner");
            var innerFold = TabularFolds.Assign(trainingRows.Select(r => Strata[r]).ToArray(), InnerFolds, innerSeed);
            var splits = Enumerable.Range(0, InnerFolds).Select(k => (
                Train: (IDataView)new RowSubsetDataView(Source, trainingRows.Where((_, i) => innerFold[i] != k), SourceRows),
                Validation: (IDataView)new RowSubsetDataView(Source, trainingRows.Where((_, i) => innerFold[i] == k), SourceRows))).ToArray();

            var random = new Random(StableHash($"{seed}/{fold}/{contender.Name}"));
            using var budget = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
            budget.CancelAfter(Budget);
            Hyperparameters best = Hyperparameters.Defaults;
            double bestScore = double.NegativeInfinity;
            int completed = 0;
            for (int trial = 0; trial < MaxTrials && !budget.IsCancellationRequested; trial++)
            {
                var candidate = trial == 0 ? Hyperparameters.Defaults : contender.SearchSpace.Sample(random);
                if (trial > 0 && contender.SearchSpace.Dimensions.Count == 0)
                    break;
                double score;
                try
                {
                    score = splits.Average(s => TabularScoring.FitAndScore(Data, contender, candidate, s.Train, s.Validation, seed, budget.Token).Score);
                }
                catch (Exception) when (budget.IsCancellationRequested && !cancellation.IsCancellationRequested)
                {
                    // The budget ran out inside this candidate (ML.NET may wrap the cancellation): it does not count.
                    break;
                }
                completed++;
                if (score > bestScore)
                {
                    bestScore = score;
                    best = candidate;
                }
            }
            cancellation.ThrowIfCancellationRequested();
            return (best, completed);
        }

        /// <summary>FNV-1a of the text: a seed that, unlike string.GetHashCode, is the same in every process.</summary>
        internal static int StableHash(string text)
        {
            uint hash = 2166136261;
            foreach (char c in text)
                hash = (hash ^ c) * 16777619;
            return (int)(hash & int.MaxValue);
        }
    }
}
