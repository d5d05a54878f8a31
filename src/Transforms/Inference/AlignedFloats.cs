using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Floats whose first element sits on a 64-byte boundary, so that every 512-bit vector at a multiple of 16 floats
    /// from it lies within one cache line: a vector load that straddles two lines costs two loads, and the kernels'
    /// weight loads are what bounds them. A .NET array is only 8-byte aligned; this one lives on the pinned object heap,
    /// where it never moves, so an offset found once stays valid.
    /// </summary>
    internal sealed class AlignedFloats
    {
        private const int AlignmentBytes = 64;

        private readonly float[] _array;
        private readonly int _offset;

        public AlignedFloats(int length)
        {
            Length = length;
            _array = GC.AllocateArray<float>(length + AlignmentBytes / sizeof(float) - 1, pinned: true);
            long address = Marshal.UnsafeAddrOfPinnedArrayElement(_array, 0);
            _offset = (int)((AlignmentBytes - address % AlignmentBytes) % AlignmentBytes / sizeof(float));
        }

        public int Length { get; }

        public Span<float> Span => _array.AsSpan(_offset, Length);

        /// <summary>The first float, 64-byte aligned.</summary>
        public ref float Start => ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_array), _offset);
    }
}
