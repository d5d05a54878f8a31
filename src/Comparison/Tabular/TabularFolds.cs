using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>
    /// Deterministic k-fold assignment: the same rows, strata and seed give the same folds on every machine (a seeded
    /// <see cref="Random"/> shuffles). Stratified: each stratum's rows are shuffled and dealt to the folds in turn, the
    /// turn running on from one stratum to the next, so every fold gets each stratum's share (within one row) and fold
    /// sizes differ by at most one.
    /// </summary>
    public static class TabularFolds
    {
        /// <summary>The fold (0 to <paramref name="folds"/> - 1) of each row.</summary>
        /// <param name="strata">Each row's stratum (a class index, say); rows of one stratum are spread over the folds.</param>
        /// <param name="folds">Number of folds, at least 2 and at most the number of rows.</param>
        /// <param name="seed">Seed of the shuffle.</param>
        public static int[] Assign(IReadOnlyList<int> strata, int folds, int seed)
        {
            ArgumentNullException.ThrowIfNull(strata);
            ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
            if (strata.Count < folds)
                throw new ArgumentOutOfRangeException(nameof(folds), folds, $"{folds} folds need at least {folds} rows; there are {strata.Count}.");
            var random = new Random(seed);
            var fold = new int[strata.Count];
            int turn = 0;
            foreach (var group in Enumerable.Range(0, strata.Count).GroupBy(i => strata[i]).OrderBy(g => g.Key))
            {
                int[] rows = group.ToArray();
                random.Shuffle(rows);
                foreach (int row in rows)
                    fold[row] = turn++ % folds;
            }
            return fold;
        }

        /// <summary>Strata for a regression label: rows sorted by label (ties by row) and cut into runs of
        /// <paramref name="folds"/> neighbours, so each fold gets a value from every run and so a similar spread of labels.</summary>
        public static int[] RegressionStrata(IReadOnlyList<float> labels, int folds)
        {
            ArgumentNullException.ThrowIfNull(labels);
            ArgumentOutOfRangeException.ThrowIfLessThan(folds, 2);
            var strata = new int[labels.Count];
            int rank = 0;
            foreach (int row in Enumerable.Range(0, labels.Count).OrderBy(i => labels[i]).ThenBy(i => i))
                strata[row] = rank++ / folds;
            return strata;
        }
    }
}
