using System;
using System.Diagnostics;
using System.Threading;
using Microsoft.ML;

namespace MLNet.BatchNorm.Comparison
{
    /// <summary>Fits featurization plus a contender on training rows and scores it on test rows with the task's metric.</summary>
    internal static class TabularScoring
    {
        /// <summary>The metric's name for a task.</summary>
        public static string MetricName(TabularTask task) => task switch
        {
            TabularTask.BinaryClassification => "AUC",
            TabularTask.MulticlassClassification => "accuracy",
            _ => "R²",
        };

        /// <summary>Fits in a fresh <see cref="MLContext"/> with <paramref name="seed"/>; <paramref name="cancellation"/>
        /// stops the fit (ML.NET's trainers through the context's internal CancelExecution, where they check for it;
        /// BnMlp within a batch).</summary>
        public static (double Score, double Accuracy, double FitSeconds) FitAndScore(TabularDataset data, TabularContender contender,
            Hyperparameters hyperparameters, IDataView train, IDataView test, int seed, CancellationToken cancellation)
        {
            cancellation.ThrowIfCancellationRequested();
            var ml = new MLContext(seed);
            using var stop = cancellation.Register(ml.CancelExecution);
            var pipeline = data.Featurize(ml).AppendCacheCheckpoint(ml).Append(contender.CreateEstimator(ml, hyperparameters, cancellation));
            var clock = Stopwatch.StartNew();
            var model = pipeline.Fit(train);
            double fitSeconds = clock.Elapsed.TotalSeconds;
            cancellation.ThrowIfCancellationRequested();
            var scored = model.Transform(test);
            const string label = TabularDataset.LabelColumnName;
            switch (data.Task)
            {
                case TabularTask.BinaryClassification:
                    var binary = ml.BinaryClassification.EvaluateNonCalibrated(scored, label);
                    return (binary.AreaUnderRocCurve, binary.Accuracy, fitSeconds);
                case TabularTask.MulticlassClassification:
                    return (ml.MulticlassClassification.Evaluate(scored, label).MicroAccuracy, double.NaN, fitSeconds);
                default:
                    return (ml.Regression.Evaluate(scored, label).RSquared, double.NaN, fitSeconds);
            }
        }
    }
}
