using System;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Inverted-dropout masks, bit for bit those of <c>rand(shape, generator).ge_(rate)</c> scaled by 1 / (1 - rate)
    /// with a libtorch generator of the same seed, only faster. libtorch draws one MT19937 word per element, one element
    /// at a time: with two threads on a 784-1024-256 network at batch 256, a step's masks and their products took
    /// 1.45 ms while the other core waited (0.27 ms now; docs/performance.md). This class runs the same MT19937 (seeded
    /// as libtorch seeds it, from the seed's low 32 bits) sixteen words at a time and turns each word into the factor its
    /// element is multiplied by: 1 / (1 - rate) when the word's low 24 bits times 2^-24 (libtorch's uniform float) are
    /// at least the rate, else 0.
    /// </summary>
    internal sealed class DropoutMasks
    {
        private const int StateSize = 624;
        private const int Shift = 397;
        private const uint UpperBit = 0x80000000u;
        private const uint LowerBits = 0x7fffffffu;
        private const uint Twister = 0x9908b0dfu;
        private const int UniformBits = 24;

        private readonly uint[] _state = new uint[StateSize];
        private readonly uint[] _words = new uint[StateSize];
        private int _nextWord = StateSize;
        private readonly float _rate;
        private readonly float _keptFactor;

        public DropoutMasks(ulong seed, float rate)
        {
            _rate = rate;
            // libtorch multiplies by the scalar 1 / (1 - rate), computed in double, in the tensor's float.
            _keptFactor = (float)(1.0 / (1.0 - rate));
            _state[0] = (uint)seed;
            for (int i = 1; i < StateSize; i++)
                _state[i] = 1812433253u * (_state[i - 1] ^ (_state[i - 1] >> 30)) + (uint)i;
        }

        /// <summary>A new mask shaped <paramref name="shape"/>: the next words of the stream, in element order.</summary>
        public Tensor Next(long[] shape)
        {
            var mask = empty(shape);
            Fill(NativeRows.Values(mask));
            return mask;
        }

        /// <summary>Writes the next <paramref name="mask"/>.Length factors of the stream.</summary>
        private void Fill(Span<float> mask)
        {
            for (int done = 0; done < mask.Length;)
            {
                if (_nextWord == StateSize)
                    NextWords();
                int count = Math.Min(mask.Length - done, StateSize - _nextWord);
                WriteFactors(_words.AsSpan(_nextWord, count), mask.Slice(done, count));
                _nextWord += count;
                done += count;
            }
        }

        private void WriteFactors(ReadOnlySpan<uint> words, Span<float> factors)
        {
            const float unit = 1f / (1 << UniformBits);
            const uint uniformMask = (1u << UniformBits) - 1;
            var rate = Vector512.Create(_rate);
            var kept = Vector512.Create(_keptFactor);
            int i = 0;
            for (; i + Vector512<uint>.Count <= words.Length; i += Vector512<uint>.Count)
            {
                var uniform = Vector512.ConvertToSingle((Vector512.Create(words.Slice(i, Vector512<uint>.Count)) & Vector512.Create(uniformMask)).AsInt32()) * unit;
                Vector512.ConditionalSelect(Vector512.GreaterThanOrEqual(uniform, rate), kept, Vector512<float>.Zero).CopyTo(factors.Slice(i));
            }
            for (; i < words.Length; i++)
                factors[i] = (words[i] & uniformMask) * unit >= _rate ? _keptFactor : 0f;
        }

        /// <summary>MT19937's next 624 words: the state's twist, sixteen words at a time where no word of the vector depends
        /// on another of it (the words 397 and 227 positions away are from the previous state and this one), then the
        /// tempering.</summary>
        private void NextWords()
        {
            ref uint state = ref MemoryMarshal.GetArrayDataReference(_state);
            int width = Vector512<uint>.Count, i = 0;
            for (; i + width <= StateSize - Shift; i += width)
                Store(ref state, i, Load(ref state, i + Shift) ^ Twist(Load(ref state, i), Load(ref state, i + 1)));
            for (; i < StateSize - Shift; i++)
                _state[i] = _state[i + Shift] ^ Twist(_state[i], _state[i + 1]);
            for (; i + width <= StateSize - 1; i += width)
                Store(ref state, i, Load(ref state, i + Shift - StateSize) ^ Twist(Load(ref state, i), Load(ref state, i + 1)));
            for (; i < StateSize - 1; i++)
                _state[i] = _state[i + Shift - StateSize] ^ Twist(_state[i], _state[i + 1]);
            _state[StateSize - 1] = _state[Shift - 1] ^ Twist(_state[StateSize - 1], _state[0]);

            ref uint words = ref MemoryMarshal.GetArrayDataReference(_words);
            for (i = 0; i < StateSize; i += width)
            {
                var word = Load(ref state, i);
                word ^= word >>> 11;
                word ^= (word << 7) & Vector512.Create(0x9d2c5680u);
                word ^= (word << 15) & Vector512.Create(0xefc60000u);
                word ^= word >>> 18;
                Store(ref words, i, word);
            }
            _nextWord = 0;
        }

        private static uint Twist(uint current, uint next)
        {
            uint joined = (current & UpperBit) | (next & LowerBits);
            return (joined >> 1) ^ ((joined & 1) != 0 ? Twister : 0);
        }

        private static Vector512<uint> Twist(Vector512<uint> current, Vector512<uint> next)
        {
            var joined = (current & Vector512.Create(UpperBit)) | (next & Vector512.Create(LowerBits));
            return (joined >>> 1) ^ ((Vector512<uint>.Zero - (joined & Vector512<uint>.One)) & Vector512.Create(Twister));
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector512<uint> Load(ref uint values, int at) => Vector512.LoadUnsafe(ref values, (nuint)at);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static void Store(ref uint values, int at, Vector512<uint> value) => value.StoreUnsafe(ref values, (nuint)at);
    }
}
