using System;
using System.Runtime.Intrinsics.X86;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Matrix products with bfloat16 operands for <see cref="BnMlpMatrixPrecision.BFloat16"/>. libtorch sends bfloat16
    /// products to oneDNN, whose kernels on a processor with AVX512-BF16 ran the products of a 784-1024 layer at batch
    /// 256 2 to 3.8 times as fast as oneMKL's float32 ones on an AMD EPYC (Zen 4; docs/performance.md).
    /// Without those instructions oneDNN emulates them or libtorch falls back to plain loops, slower than float32.
    /// Small products stay float32 (<see cref="MinimumMultiplyAdds"/>).
    /// </summary>
    internal static class BFloat16Products
    {
        /// <summary>The processor multiplies bfloat16 natively: AVX512-BF16 (CPUID leaf 7, sub-leaf 1, EAX bit 5) or
        /// AMX-BF16 (leaf 7, sub-leaf 0, EDX bit 22), with the AVX-512 registers the operating system enables.</summary>
        public static bool AreNative { get; } = Detect();

        /// <summary>Multiply-adds (rows × inputs × outputs, times the members of an ensemble) from which a product runs in
        /// bfloat16. A layer's forward and backward products, with the conversions, on Zen 4 (docs/performance.md): 1.4-2.6
        /// times float32's time below 3 million multiply-adds, 0.85-0.95 times at 4.7 million, 0.56-0.76 times from 24
        /// million on.</summary>
        public const long MinimumMultiplyAdds = 4_000_000;

        /// <summary>Whether a product of <paramref name="multiplyAdds"/> runs in bfloat16.</summary>
        public static bool Pays(long multiplyAdds) => multiplyAdds >= MinimumMultiplyAdds;

        /// <summary><paramref name="product"/> of <paramref name="left"/> and <paramref name="right"/> rounded to bfloat16
        /// (oneDNN sums in float32 and rounds the sums to bfloat16), returned in float32. Autograd rounds the gradient
        /// that flows back through the product the same way and returns the operands' gradients in float32.</summary>
        public static Tensor Multiply(Tensor left, Tensor right, Func<Tensor, Tensor, Tensor> product) =>
            product(left.to(ScalarType.BFloat16), right.to(ScalarType.BFloat16)).to(ScalarType.Float32);

        private static bool Detect()
        {
            if (!X86Base.IsSupported || !Avx512BW.IsSupported || X86Base.CpuId(0, 0).Eax < 7)
                return false;
            var (maxSubLeaf, _, _, edx) = X86Base.CpuId(7, 0);
            bool amx = (edx & (1 << 22)) != 0;
            bool avx512 = maxSubLeaf >= 1 && (X86Base.CpuId(7, 1).Eax & (1 << 5)) != 0;
            return amx || avx512;
        }
    }
}
