using System;
using System.Threading.Tasks;

namespace MLNet.BatchNorm
{
    /// <summary>The two halves of a computation that merges them in order, so its result never depends on whether they
    /// ran one after the other or at the same time.</summary>
    internal static class Halves
    {
        /// <summary>Runs <paramref name="first"/>, then <paramref name="second"/>; with <paramref name="atOnce"/>, the
        /// second on another thread while the first runs.</summary>
        public static void Run(Action first, Action second, bool atOnce)
        {
            if (!atOnce)
            {
                first();
                second();
                return;
            }
            var other = Task.Run(second);
            try
            {
                first();
            }
            finally
            {
                // The original exception (a cancellation stays an OperationCanceledException), after the other half stopped.
                other.GetAwaiter().GetResult();
            }
        }
    }
}
