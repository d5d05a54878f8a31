using System;
using System.Runtime.CompilerServices;
using System.Threading.Tasks;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Copies the feature rows of a pass's mini-batches, in the pass's row order, into two reusable native buffers: the
    /// rows of batch k + 1 are copied on a worker thread while the step of batch k runs. A shuffled batch is a gather of
    /// rows scattered over the whole data; on the loop's own thread it cost 5 % of a step of a 784-100-100-100 network at
    /// batch 256 (a bare loop over contiguous rows pays nothing), and on a spare core it costs the loop nothing. The
    /// worker only copies bytes: every tensor is made on the loop's thread, inside its dispose scopes.
    /// </summary>
    internal sealed class RowGatherer : IDisposable
    {
        /// <summary>Below this many bytes per batch the copy is cheaper than handing it to another thread.</summary>
        private const long BackgroundBatchBytes = 64 << 10;

        private readonly Tensor[] _buffers = new Tensor[2];
        private readonly nint[] _bufferAddresses = new nint[2];
        private readonly nint _source;
        private readonly int _rowBytes;
        private readonly long[] _order;
        private readonly bool _background;
        private Task _pending = Task.CompletedTask;

        /// <param name="features">The rows [rows, features] (contiguous float32), unchanged while the gatherer is used.</param>
        /// <param name="order">The pass's row order.</param>
        /// <param name="largestBatch">The most rows of any batch of the pass.</param>
        public RowGatherer(Tensor features, long[] order, int largestBatch)
        {
            int featureCount = (int)features.shape[1];
            _rowBytes = featureCount * sizeof(float);
            _source = NativeRows.Address(features);
            _order = order;
            for (int i = 0; i < _buffers.Length; i++)
            {
                _buffers[i] = empty(largestBatch, featureCount, ScalarType.Float32);
                _bufferAddresses[i] = NativeRows.Address(_buffers[i]);
            }
            // A spare core only: when libtorch's threads use them all, the copy would slow the step it overlaps.
            _background = (long)largestBatch * _rowBytes >= BackgroundBatchBytes && get_num_threads() < Environment.ProcessorCount;
        }

        /// <summary>Starts copying the rows of the batch [<paramref name="start"/>, + <paramref name="length"/>) of the order
        /// into buffer <paramref name="slot"/> (0 or 1), which no step may be using.</summary>
        public void Start(int slot, int start, int length)
        {
            _pending.Wait();
            if (_background)
                _pending = Task.Run(() => Copy(slot, start, length));
            else
                Copy(slot, start, length);
        }

        /// <summary>The rows [length, features] last started into buffer <paramref name="slot"/>, once copied: a view owned by
        /// the caller's dispose scope.</summary>
        public Tensor Take(int slot, int length)
        {
            _pending.Wait();
            return _buffers[slot].narrow(0, 0, length);
        }

        private void Copy(int slot, int start, int length)
        {
            ref byte source = ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), _source);
            ref byte destination = ref Unsafe.AddByteOffset(ref Unsafe.NullRef<byte>(), _bufferAddresses[slot]);
            for (int i = 0; i < length; i++)
            {
                Unsafe.CopyBlockUnaligned(ref Unsafe.AddByteOffset(ref destination, (nint)i * _rowBytes),
                    ref Unsafe.AddByteOffset(ref source, (nint)_order[start + i] * _rowBytes), (uint)_rowBytes);
            }
        }

        /// <summary>Waits for a copy still running (a step that threw leaves one) before freeing the buffers it writes.</summary>
        public void Dispose()
        {
            try
            {
                _pending.Wait();
            }
            finally
            {
                foreach (var buffer in _buffers)
                    buffer.Dispose();
            }
        }
    }
}
