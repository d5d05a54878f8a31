using System;
using System.Runtime.InteropServices;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>The CPU time the calling thread has run (Linux's CLOCK_THREAD_CPUTIME_ID): unlike wall time it leaves out
    /// the time the thread waits for a core, which on a shared machine is most of a short measurement's.</summary>
    internal static class ThreadCpuClock
    {
        private const int ThreadCpuTimeId = 3;

        /// <summary>Nanoseconds of CPU time of this thread; NaN where the clock is not available.</summary>
        public static double Nanoseconds()
        {
            if (!OperatingSystem.IsLinux() || clock_gettime(ThreadCpuTimeId, out var time) != 0)
                return double.NaN;
            return time.Seconds * 1e9 + time.Nanoseconds;
        }

        [DllImport("libc")]
        private static extern int clock_gettime(int clockId, out TimeSpec time);

        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }
    }
}
