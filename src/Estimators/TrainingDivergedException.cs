using System;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Thrown by a BnMlp trainer's <c>Fit</c> when the training loss of a batch becomes NaN or infinite: the weights can no
    /// longer be trusted, so no model is returned. Usually the learning rate is too high for the network (batch
    /// normalization widens the range that works). An <see cref="InvalidOperationException"/>, as ML.NET reports training
    /// that cannot go on.
    /// </summary>
    public sealed class TrainingDivergedException : InvalidOperationException
    {
        /// <summary>Creates the exception for the batch whose loss was not finite.</summary>
        /// <param name="epoch">The epoch, from 1.</param>
        /// <param name="batch">The batch within the epoch, from 1.</param>
        /// <param name="loss">The loss of that batch: NaN or an infinity.</param>
        /// <param name="message">What happened and what to try.</param>
        public TrainingDivergedException(int epoch, int batch, double loss, string message)
            : base(message)
        {
            Epoch = epoch;
            Batch = batch;
            Loss = loss;
        }

        /// <summary>The epoch in which the loss became non-finite, from 1.</summary>
        public int Epoch { get; }

        /// <summary>The batch within <see cref="Epoch"/> whose loss was non-finite, from 1.</summary>
        public int Batch { get; }

        /// <summary>The loss of that batch: NaN or an infinity.</summary>
        public double Loss { get; }
    }
}
