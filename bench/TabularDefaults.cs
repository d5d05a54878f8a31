using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.BatchNorm.Comparison;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>
    /// Compares BnMlp option variants by k-fold cross-validation on the tabular suite (data/tabular), each fold featurized
    /// by <see cref="TabularDataset.Featurize"/> fitted on its training part: the suite's metrics (AUC of the binary
    /// trainer for binary sets, accuracy for multiclass, R² for regression), averaged over folds and seeds. What docs/options.md's "Size-aware defaults" figures come from; only the
    /// scores matter (timings on a shared machine do not).
    /// <c>dotnet run --project bench -c Release -- tabular-defaults [--sets A,B] [--variants v1,v2] [--folds 5] [--seeds 1,2]</c>
    /// </summary>
    public static class TabularDefaults
    {
        /// <summary>The variants, each a change to fresh options given the fold's training row count.</summary>
        private static readonly Dictionary<string, Action<BnMlpOptionsBase, long>> Variants = new()
        {
            ["old"] = (o, _) => { o.InputScaling = BnMlpInputScaling.None; o.BatchSize = 64; o.NumberOfEpochs = 15; },
            ["scaled-64x15"] = (o, _) => { o.BatchSize = 64; o.NumberOfEpochs = 15; },
            ["default"] = (_, _) => { },
            ["clip"] = (o, _) => o.InputScaling = BnMlpInputScaling.StandardSmoothClip,
            ["cosine"] = (o, _) => o.LearningRateSchedule = LearningRateSchedule.Cosine,
            ["steps500"] = (o, rows) => o.NumberOfEpochs = EpochsForSteps(rows, 500),
            ["steps1000"] = (o, rows) => o.NumberOfEpochs = EpochsForSteps(rows, 1000),
            ["steps2000"] = (o, rows) => o.NumberOfEpochs = EpochsForSteps(rows, 2000),
            ["steps4000"] = (o, rows) => o.NumberOfEpochs = EpochsForSteps(rows, 4000),
            ["batch64-rule"] = (o, _) => o.BatchSize = 64,
            ["early-stop"] = (o, _) => { o.ValidationFraction = 0.2f; o.EarlyStoppingPatience = 20; },
            ["early-stop10"] = (o, _) => { o.ValidationFraction = 0.2f; o.EarlyStoppingPatience = 10; },
            ["early-stop-cosine"] = (o, _) => { o.ValidationFraction = 0.2f; o.EarlyStoppingPatience = 20; o.LearningRateSchedule = LearningRateSchedule.Cosine; },
            ["steps1000-cosine"] = (o, rows) => { o.NumberOfEpochs = EpochsForSteps(rows, 1000); o.LearningRateSchedule = LearningRateSchedule.Cosine; },
            ["steps500-cosine"] = (o, rows) => { o.NumberOfEpochs = EpochsForSteps(rows, 500); o.LearningRateSchedule = LearningRateSchedule.Cosine; },
            ["dropout0.4"] = (o, _) => o.DropoutRate = 0.4f,
            ["weight-decay"] = (o, _) => o.WeightDecay = 1e-3f,
            ["ensemble3"] = (o, _) => o.EnsembleSize = 3,
            ["ensemble5"] = (o, _) => o.EnsembleSize = 5,
            ["bins0"] = (o, _) => o.PiecewiseLinearBins = 0,
            ["bins8"] = (o, _) => o.PiecewiseLinearBins = 8,
            ["bins16"] = (o, _) => o.PiecewiseLinearBins = 16,
            ["bins32"] = (o, _) => o.PiecewiseLinearBins = 32,
        };

        /// <summary>The variants compared when none are named.</summary>
        public static readonly string[] DefaultVariants = ["old", "scaled-64x15", "default", "clip", "cosine"];

        /// <summary>Cross-validates the <paramref name="variants"/> on the named suite sets (all when none are named).</summary>
        public static int Run(string[] setNames, string[] variants, int folds, int[] seeds)
        {
            var suite = TabularSuite.LoadFromRepository();
            var sets = setNames is { Length: > 0 } ? setNames.Select(name => suite[name]).ToArray() : suite.DataSets.ToArray();
            foreach (string v in variants.Where(v => !Variants.ContainsKey(v)))
            {
                Console.Error.WriteLine($"Unknown variant '{v}'; known: {string.Join(", ", Variants.Keys)}.");
                return 2;
            }
            Console.WriteLine($"{folds}-fold cross-validation, seeds {string.Join(",", seeds)}; AUC (binary), accuracy (multiclass) or R² (regression), mean over folds and seeds.");
            Console.WriteLine($"| set | rows | {string.Join(" | ", variants)} |");
            Console.WriteLine($"|---|---|{string.Concat(variants.Select(_ => "---|"))}");
            foreach (var set in sets)
            {
                var scores = variants.ToDictionary(v => v, _ => new List<double>());
                long rows = 0;
                foreach (int seed in seeds)
                {
                    var ml = new MLContext(seed);
                    var data = set.Load(ml);
                    rows = data.GetRowCount() ?? CountRows(data);
                    foreach (var fold in ml.Data.CrossValidationSplit(data, folds, seed: seed))
                    {
                        var featurizer = set.Featurize(ml).Fit(fold.TrainSet);
                        // Cached, so every variant reads the same featurized rows without featurizing them again.
                        var train = ml.Data.Cache(featurizer.Transform(fold.TrainSet));
                        var test = ml.Data.Cache(featurizer.Transform(fold.TestSet));
                        long trainRows = train.GetRowCount() ?? CountRows(train);
                        foreach (string variant in variants)
                            scores[variant].Add(Score(set, train, test, trainRows, Variants[variant], seed));
                    }
                }
                Console.WriteLine($"| {set.Name} ({(set.Task switch { TabularTask.BinaryClassification => "AUC", TabularTask.Regression => "R²", _ => "acc" })}) | {rows} | " +
                    string.Join(" | ", variants.Select(v => scores[v].Average().ToString("F4", CultureInfo.InvariantCulture))) + " |");
            }
            return 0;
        }

        private static double Score(TabularDataset set, IDataView train, IDataView test, long trainRows, Action<BnMlpOptionsBase, long> variant, int seed)
        {
            var ml = new MLContext(seed);
            if (set.Task == TabularTask.Regression)
            {
                var options = new BnMlpRegressionTrainer.Options();
                variant(options, trainRows);
                var model = ml.Regression.Trainers.BnMlp(options).Fit(train);
                return ml.Regression.Evaluate(model.Transform(test)).RSquared;
            }
            if (set.Task == TabularTask.BinaryClassification)
            {
                var binaryOptions = new BnMlpBinaryTrainer.Options();
                variant(binaryOptions, trainRows);
                var binary = ml.BinaryClassification.Trainers.BnMlp(binaryOptions).Fit(train);
                return ml.BinaryClassification.EvaluateNonCalibrated(binary.Transform(test)).AreaUnderRocCurve;
            }
            var classifierOptions = new BnMlpTrainer.Options();
            variant(classifierOptions, trainRows);
            var classifier = ml.MulticlassClassification.Trainers.BnMlp(classifierOptions).Fit(train);
            return ml.MulticlassClassification.Evaluate(classifier.Transform(test)).MicroAccuracy;
        }

        /// <summary>The epochs the size rule would give for <paramref name="steps"/> optimizer steps instead of
        /// <see cref="BnMlpOptionsBase.Defaults.StepsFor"/>.</summary>
        private static int EpochsForSteps(long rows, int steps)
        {
            int batch = BnMlpOptionsBase.Defaults.BatchSizeFor(rows);
            long perEpoch = (rows + batch - 1) / batch;
            return (int)Math.Clamp((steps + perEpoch - 1) / perEpoch, BnMlpOptionsBase.Defaults.MinimumEpochs, BnMlpOptionsBase.Defaults.MaximumEpochs);
        }

        private static long CountRows(IDataView data)
        {
            long count = 0;
            using var cursor = data.GetRowCursor([]);
            while (cursor.MoveNext())
                count++;
            return count;
        }

    }
}
