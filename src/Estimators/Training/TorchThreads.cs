using System;
using System.Threading;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// TorchSharp's thread count (<c>torch.set_num_threads</c>) is process state: a Fit that set it while another Fit with
    /// a different count ran would change the other's threads, and so its floating-point sums and results. Fits that ask
    /// for the same count share it and run together; a Fit that asks for another count waits until they have all
    /// finished. Each Fit's thread gets back the count in force before the first of them as it ends.
    /// </summary>
    internal static class TorchThreads
    {
        private static readonly object Gate = new();
        private static int _users;
        private static int _count;
        private static int _previous;

        /// <summary>Runs the caller with <paramref name="threads"/> torch threads until the result is disposed; null
        /// leaves the count as it is and waits for nothing.</summary>
        public static IDisposable Use(int? threads)
        {
            if (threads is not int count)
                return null;
            lock (Gate)
            {
                while (_users > 0 && _count != count)
                    Monitor.Wait(Gate);
                if (_users == 0)
                {
                    _previous = get_num_threads();
                    _count = count;
                }
                _users++;
                // On every entering thread: libtorch keeps OpenMP's count per thread once a thread has used it.
                set_num_threads(count);
            }
            return new Lease();
        }

        private sealed class Lease : IDisposable
        {
            private bool _disposed;

            public void Dispose()
            {
                lock (Gate)
                {
                    if (_disposed)
                        return;
                    _disposed = true;
                    // On every leaving thread, as on every entering one: a thread that ran a Fit would otherwise keep
                    // its count after the last Fit had restored the count on its own thread only.
                    set_num_threads(_previous);
                    if (--_users == 0)
                        Monitor.PulseAll(Gate);
                }
            }
        }
    }
}
