using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics.Tracing;
using System.Threading;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>
    /// Counts the objects of one type that the finalizer thread finalizes, from the runtime's FinalizeObject events
    /// (GC keyword, verbose), which name each object's type by its type handle. An object disposed in time is never
    /// finalized, so for TorchSharp's Scalar a count above 0 means Scalars left to the finalizer: implicitly converted numbers.
    /// </summary>
    internal sealed class FinalizationCounter : EventListener
    {
        private const EventKeywords GcKeyword = (EventKeywords)0x1;
        private static readonly TimeSpan EventDelay = TimeSpan.FromSeconds(30);

        private readonly ConcurrentDictionary<IntPtr, int> _counts = new();

        /// <summary>Starts counting once the garbage of earlier code is finalized and events arrive.</summary>
        public FinalizationCounter()
        {
            FinalizeSentinel();
            _counts.Clear();
        }

        /// <summary>How many objects of type <typeparamref name="T"/> were finalized since the counter started, after
        /// collecting the garbage and running every pending finalizer.</summary>
        public int Finalized<T>()
        {
            FinalizeSentinel();
            return _counts.GetValueOrDefault(typeof(T).TypeHandle.Value);
        }

        /// <summary>Collects, finalizes, and waits for the event of a finalized <see cref="Sentinel"/>: the events are
        /// delivered in order, so those of the objects finalized before it have then arrived too.</summary>
        private void FinalizeSentinel()
        {
            IntPtr sentinel = typeof(Sentinel).TypeHandle.Value;
            int before = _counts.GetValueOrDefault(sentinel);
            var deadline = DateTime.UtcNow + EventDelay;
            while (_counts.GetValueOrDefault(sentinel) == before)
            {
                if (DateTime.UtcNow > deadline)
                    throw new TimeoutException($"No FinalizeObject event arrived within {EventDelay.TotalSeconds} s.");
                CreateGarbage();
                GC.Collect();
                GC.WaitForPendingFinalizers();
                Thread.Sleep(50);
            }
        }

        // Not inlined, so that no register of the caller still refers to the sentinel.
        [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
        private static void CreateGarbage() => _ = new Sentinel();

        protected override void OnEventSourceCreated(EventSource source)
        {
            if (source.Name == "Microsoft-Windows-DotNETRuntime")
                EnableEvents(source, EventLevel.Verbose, GcKeyword);
        }

        protected override void OnEventWritten(EventWrittenEventArgs e)
        {
            if (e.EventName == "FinalizeObject")
                _counts.AddOrUpdate((IntPtr)e.Payload[e.PayloadNames.IndexOf("TypeID")], 1, (_, count) => count + 1);
        }

        private sealed class Sentinel
        {
            ~Sentinel()
            {
            }
        }
    }
}
