using System.Threading;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The two ways to stop a Fit: <see cref="BnMlpOptionsBase.CancellationToken"/> and ML.NET's
    /// <c>MLContext.CancelExecution()</c>, which marks the trainer's host cancelled and which ML.NET's own trainers poll
    /// with <c>CheckAlive</c>. Checked before every batch of training, of the exact statistics pass and of validation.
    /// </summary>
    internal readonly struct FitCancellation(IHost host, CancellationToken token)
    {
        /// <summary>Throws <see cref="System.OperationCanceledException"/> when either way asked to stop.</summary>
        public void ThrowIfCancelled()
        {
            token.ThrowIfCancellationRequested();
            host.CheckAlive();
        }
    }
}
