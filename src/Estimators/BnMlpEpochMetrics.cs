using System;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// What one epoch of BN-MLP training did: reported to <see cref="BnMlpOptionsBase.Progress"/>
    /// after every epoch, and written to the ML.NET log (<c>MLContext.Log</c>). An epoch that runs longer than
    /// <see cref="BnMlpOptionsBase.ProgressInterval"/> is also reported while it runs, with <see cref="IsPartial"/> set.
    /// </summary>
    public sealed class BnMlpEpochMetrics
    {
        /// <summary>The epoch, from 1.</summary>
        public int Epoch { get; internal init; }

        /// <summary>The number of epochs training was asked for (early stopping may end it sooner).</summary>
        public int NumberOfEpochs { get; internal init; }

        /// <summary>True for a report made while the epoch runs: the training loss, rows per second and elapsed time are
        /// those of the batches so far, and there are no validation values yet. False for the report at the end of the
        /// epoch (one per epoch).</summary>
        public bool IsPartial { get; internal init; }

        /// <summary>The fraction of the epoch's batches done: 1 at the end of the epoch; null in a partial report when the
        /// training data is streamed (its batch count is not known before the first pass).</summary>
        public double? FractionOfEpoch { get; internal init; }

        /// <summary>Mean loss (cross-entropy for a classifier, to the smoothed labels when
        /// <see cref="BnMlpTrainer.Options.LabelSmoothing"/> smooths them; squared error or Huber loss for a regressor) of
        /// the training batches during the epoch (batch statistics, dropout on, weights changing), weighted by example
        /// weights when there are any and, for a binary classifier, by
        /// <see cref="BnMlpBinaryTrainer.Options.PositiveClassWeight"/>.</summary>
        public double TrainingLoss { get; internal init; }

        /// <summary>Mean loss on the validation rows after the epoch (log-loss in nats for a classifier, unweighted; the
        /// training loss for a regressor), scored as the model would be after training (population statistics, no
        /// dropout); null without validation data.</summary>
        public double? ValidationLoss { get; internal init; }

        /// <summary>Fraction of validation rows whose most probable class is right (for a binary classifier: whose
        /// <c>PredictedLabel</c>, score &gt; 0, is right); null without validation data and for a regressor.</summary>
        public double? ValidationAccuracy { get; internal init; }

        /// <summary>True when this epoch has the lowest validation loss so far (the one early stopping would keep).</summary>
        public bool IsBestSoFar { get; internal init; }

        /// <summary>The learning rate used in this epoch.</summary>
        public double LearningRate { get; internal init; }

        /// <summary>Wall time of the epoch, validation included.</summary>
        public TimeSpan Elapsed { get; internal init; }

        /// <summary>Training rows processed per second in this epoch (training steps only).</summary>
        public double RowsPerSecond { get; internal init; }

        /// <summary>One line, as written to the log.</summary>
        public override string ToString() => IsPartial
            ? $"Epoch {Epoch}/{NumberOfEpochs}{(FractionOfEpoch is double done ? $" {done:P0} done" : " running")}: training loss so far {TrainingLoss:F4}, " +
              $"learning rate {LearningRate:G3}, {RowsPerSecond:F0} rows/s, {Elapsed.TotalSeconds:F2} s."
            : $"Epoch {Epoch}/{NumberOfEpochs}: training loss {TrainingLoss:F4}" +
            (ValidationLoss is double loss ? $", validation loss {loss:F4}, accuracy {ValidationAccuracy:P2}{(IsBestSoFar ? " (best)" : "")}" : "") +
            $", learning rate {LearningRate:G3}, {RowsPerSecond:F0} rows/s, {Elapsed.TotalSeconds:F2} s.";
    }
}
