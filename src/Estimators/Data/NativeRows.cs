using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Float tensors of training rows in native memory: allocated for the data to be read into, and seen as managed spans
    /// by the loops that write, check, scale or sum every value once without tensor temporaries.
    /// </summary>
    internal static class NativeRows
    {
        /// <summary>About 1 MB per block: a span holds at most int.MaxValue bytes, and a block this size stays in the
        /// processor's cache for a second loop over it.</summary>
        private const long BlockBytes = 1 << 20;

        /// <summary>Transparent huge pages on x86-64 and arm64 Linux.</summary>
        private const long HugePageBytes = 2 << 20;

        /// <summary>Linux's <c>MADV_HUGEPAGE</c>.</summary>
        private const int AdviseHugePage = 14;

        /// <summary>Linux's <c>MADV_POPULATE_WRITE</c> (kernel 5.14 and later).</summary>
        private const int AdvisePopulateWrite = 23;

        private const long PageBytes = 4096;

        /// <summary>
        /// An uninitialized [<paramref name="rows"/>, <paramref name="features"/>] float32 tensor for rows about to be read.
        /// Every 4 KB page of fresh memory costs a page fault at its first write, which on a virtual machine takes
        /// microseconds: for a data set of hundreds of MB, more than the rest of reading it. On Linux the kernel is asked
        /// (<c>madvise(MADV_HUGEPAGE)</c>, before anything is written) to back the buffer with 2 MB pages where it can, one
        /// fault per 2 MB; elsewhere, or when the kernel's transparent huge pages are off, the buffer gets ordinary pages.
        /// </summary>
        public static Tensor Allocate(long rows, int features)
        {
            var values = empty(rows, features, ScalarType.Float32);
            long bytes = rows * features * sizeof(float);
            if (OperatingSystem.IsLinux() && bytes >= 2 * HugePageBytes)
            {
                long start = Address(values);
                long first = (start + HugePageBytes - 1) & ~(HugePageBytes - 1);
                long end = (start + bytes) & ~(HugePageBytes - 1);
                try
                {
                    // Advice only: when it fails (an old kernel, huge pages off) the buffer simply keeps 4 KB pages.
                    _ = madvise((nint)first, (nuint)(end - first), AdviseHugePage);
                }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
                {
                    // A C library without madvise: the same 4 KB pages.
                }
            }
            return values;
        }

        /// <summary>
        /// Starts mapping the pages of <paramref name="rows"/> on another core, for the loop about to write them all. On a
        /// virtual machine the first touch of fresh memory also waits for the host to back it: in a C probe on a 2-core VM,
        /// 188 MB (huge pages advised) took 450-550 ms to write after an idle pause, and 165-245 ms with this running
        /// beside; two threads populating instead of one did not go faster. <c>madvise(MADV_POPULATE_WRITE)</c> maps pages
        /// without writing to them, so it never races with the values written meanwhile. The caller waits for the task
        /// before freeing the tensor. The task does nothing where there is nothing to gain (not Linux, one core, a buffer
        /// under 4 MB) or the kernel lacks the advice.
        /// </summary>
        public static Task PopulateInBackground(Tensor rows)
        {
            long bytes = rows.NumberOfElements * sizeof(float);
            if (!OperatingSystem.IsLinux() || Environment.ProcessorCount < 2 || bytes < 2 * HugePageBytes)
                return Task.CompletedTask;
            long start = Address(rows);
            long first = (start + PageBytes - 1) & ~(PageBytes - 1);
            long end = (start + bytes) & ~(PageBytes - 1);
            return Task.Run(() =>
            {
                try
                {
                    // Advice only: when it fails the writer faults the pages in itself, as it would without it.
                    _ = madvise((nint)first, (nuint)(end - first), AdvisePopulateWrite);
                }
                catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
                {
                    // A C library without madvise: the writer maps the pages.
                }
            });
        }

        /// <summary>The address of the first value of <paramref name="rows"/> (contiguous), without unsafe code.</summary>
        public static nint Address(Tensor rows)
        {
            using var firstRow = rows.narrow(0, 0, 1);
            return Unsafe.ByteOffset(ref Unsafe.NullRef<byte>(), ref MemoryMarshal.GetReference(firstRow.bytes));
        }

        /// <summary>Rows per block of <see cref="ForEachBlock"/> and of the row reader.</summary>
        public static long RowsPerBlock(long featureCount) => Math.Max(1, BlockBytes / (featureCount * sizeof(float)));

        /// <summary>The values of <paramref name="rows"/> (contiguous float32, at most int.MaxValue bytes), valid while the
        /// tensor is.</summary>
        public static Span<float> Values(Tensor rows) => MemoryMarshal.Cast<byte, float>(rows.bytes);

        /// <summary>Hands the rows of <paramref name="rows"/> [rows, features] (contiguous float32) to
        /// <paramref name="action"/>, a block of whole rows at a time, in order; the span is valid during the call.</summary>
        public static void ForEachBlock(Tensor rows, Action<Span<float>> action)
        {
            long count = rows.shape[0];
            long rowsPerBlock = RowsPerBlock(rows.shape[1]);
            for (long start = 0; start < count; start += rowsPerBlock)
            {
                using var block = rows.narrow(0, start, Math.Min(rowsPerBlock, count - start));
                action(Values(block));
            }
        }

        /// <summary>
        /// Runs <paramref name="action"/> on the first and the second half of <paramref name="rows"/> [rows, features]
        /// (half number 0 and 1), the second on another core when the rows are large enough and the machine has one. The
        /// halves never depend on the core count, so a computation that merges them in order gives the same bits anywhere.
        /// </summary>
        public static void ForEachHalf(Tensor rows, Action<Tensor, int> action)
        {
            long count = rows.shape[0], half = count / 2;
            using var first = rows.narrow(0, 0, half);
            using var second = rows.narrow(0, half, count - half);
            Halves.Run(() => action(first, 0), () => action(second, 1),
                atOnce: count * rows.shape[1] * sizeof(float) >= 2 * BlockBytes && Environment.ProcessorCount >= 2);
        }

        [DllImport("libc", EntryPoint = "madvise")]
        private static extern int madvise(nint address, nuint length, int advice);
    }
}
