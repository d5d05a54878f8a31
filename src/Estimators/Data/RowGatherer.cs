using System;
using System.Runtime.CompilerServices;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Copies the feature rows of a pass's mini-batches, in the pass's row order, into one native buffer reused by every
    /// batch of the pass. <c>index_select</c> made a new batch tensor at every step, and the allocation and its memory
    /// cost about 5 % of a step of a 784-100-100-100 network at batch 256, where a bare loop over contiguous rows pays
    /// nothing. A worker thread copying one batch ahead was tried too: on the spare core it slowed the main job's steps
    /// by 15-20 % and gave no more to the bench, so the copy runs on the loop's thread.
    /// </summary>
    internal sealed class RowGatherer : IDisposable
    {
        private readonly Tensor _buffer;
        private readonly nint _bufferAddress;
        private readonly nint _source;
        private readonly int _rowBytes;
        private readonly long[] _order;

        /// <param name="features">The rows [rows, features] (contiguous float32), unchanged while the gatherer is used.</param>
        /// <param name="order">The pass's row order.</param>
        /// <param name="largestBatch">The most rows of any batch of the pass.</param>
        public RowGatherer(Tensor features, long[] order, int largestBatch)
        {
            if (!features.is_contiguous())
                throw new ArgumentException("The rows must be contiguous: they are copied by address.", nameof(features));
            int featureCount = (int)features.shape[1];
            _rowBytes = featureCount * sizeof(float);
            _source = NativeRows.Address(features);
            _order = order;
            _buffer = empty(largestBatch, featureCount, ScalarType.Float32);
            _bufferAddress = NativeRows.Address(_buffer);
        }

        /// <summary>The rows of the batch [<paramref name="start"/>, + <paramref name="length"/>) of the order: a view of the
        /// buffer, owned by the caller's dispose scope and valid until the next call.</summary>
        public Tensor Gather(int start, int length)
        {
            ref byte source = ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), _source);
            ref byte destination = ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), _bufferAddress);
            for (int i = 0; i < length; i++)
            {
                Unsafe.CopyBlockUnaligned(ref Unsafe.AddByteOffset(ref destination, (nint)i * _rowBytes),
                    ref Unsafe.AddByteOffset(ref source, (nint)_order[start + i] * _rowBytes), (uint)_rowBytes);
            }
            return _buffer.narrow(0, 0, length);
        }

        public void Dispose() => _buffer.Dispose();
    }
}
