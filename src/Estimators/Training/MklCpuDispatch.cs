using System;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Lets oneMKL, which libtorch_cpu.so (TorchSharp-cpu 0.107.0) links statically for its matrix products, run its fast
    /// kernels on AMD processors. MKL chooses its kernels once, at its first call in the process, and takes its AVX2 and
    /// AVX-512 code paths only when <c>mkl_serv_intel_cpu_true()</c> says the processor is Intel's; on AMD it falls back
    /// to code that ran SGEMM 2-2.5 times slower on this project's AMD EPYC (docs/performance.md). That function caches
    /// its answer in a private int and returns the int once it is 0 or 1 (its first instructions are <c>mov eax, [rip +
    /// cached]; test eax, eax; js compute; ret</c>, checked here byte for byte). Setting the int to 1 before MKL's first
    /// call makes MKL see what it sees on an Intel processor; its checks of the instruction sets (AVX2, AVX-512) still
    /// run, so it only picks kernels the processor has.
    /// </summary>
    /// <remarks>
    /// Why in memory at run time rather than a patched copy of the 460 MB library or an interposed shim library: nothing
    /// on disk changes (publish, single-file and the NuGet cache are all the same), the processor's vendor and the opt-outs
    /// are read on the machine that runs, and the other MKL functions that read the same cached int directly, not through
    /// the function, see the same answer. The one condition is timing: it must happen before the process's first MKL call,
    /// which <see cref="BnMlpTrainerBase{TTransformer}"/> ensures for its own Fit; a process that ran TorchSharp matrix
    /// products of its own earlier keeps the kernels MKL chose then (<see cref="MklDispatchResult.TooLate"/>).
    /// Opt-outs: the environment variable <see cref="EnvironmentVariable"/> = 0 (or false), or the MSBuild property
    /// <c>MLNetBatchNormFastMkl</c> = false, which the package's build targets turn into the runtime configuration switch
    /// <see cref="RuntimeSwitch"/>.
    /// </remarks>
    internal static class MklCpuDispatch
    {
        /// <summary>Set to 0 or false to leave MKL's vendor check alone.</summary>
        public const string EnvironmentVariable = "MLNET_BATCHNORM_FAST_MKL";

        /// <summary>The runtimeconfig.json switch (AppContext) that the MSBuild property MLNetBatchNormFastMkl=false sets to false.</summary>
        public const string RuntimeSwitch = "MLNet.BatchNorm.FastMkl";

        private const string Library = "libtorch_cpu.so";
        private const string Function = "mkl_serv_intel_cpu_true";
        private const int RtldLazy = 0x1;
        private const int RtldNoLoad = 0x4;

        private static readonly object Gate = new();
        private static MklDispatchResult? _result;

        /// <summary>Applies the change once per process (later calls return the first call's result). Call it after
        /// TorchSharp has loaded its native libraries and before any matrix product.</summary>
        public static MklDispatchResult EnsureApplied()
        {
            lock (Gate)
            {
                _result ??= Apply();
                return _result.Value;
            }
        }

        /// <summary>One sentence for the training log.</summary>
        public static string Describe(MklDispatchResult result) => result switch
        {
            MklDispatchResult.Applied => "oneMKL takes its Intel code paths on this AMD processor (opt out: " + EnvironmentVariable + "=0).",
            MklDispatchResult.NotAmd => "oneMKL's vendor check left as it is: the processor is not AMD's.",
            MklDispatchResult.OptedOut => "oneMKL's vendor check left as it is (opted out through " + EnvironmentVariable + " or " + RuntimeSwitch + ").",
            MklDispatchResult.TooLate => "oneMKL had already chosen its kernels in this process before BnMlp's first Fit: it keeps its slower code paths for AMD.",
            MklDispatchResult.NotFound => "oneMKL's vendor check left as it is: " + Library + " or its " + Function + " was not found.",
            _ => "oneMKL's vendor check left as it is: " + Function + " in this " + Library + " is not the code this fix knows.",
        };

        private static MklDispatchResult Apply()
        {
            if (!IsAmdProcessor())
                return MklDispatchResult.NotAmd;
            if (IsOptedOut())
                return MklDispatchResult.OptedOut;
            if (!OperatingSystem.IsLinux())
                return MklDispatchResult.NotFound;
            // Loads libtorch_cpu.so if no TorchSharp call has yet, so that dlopen below finds it.
            TorchSharp.torch.InitializeDeviceType(TorchSharp.DeviceType.CPU);
            // RTLD_NOLOAD: only the copy TorchSharp loaded (found by its soname), never a second one from the search path.
            IntPtr library = dlopen(Library, RtldLazy | RtldNoLoad);
            if (library == IntPtr.Zero)
                return MklDispatchResult.NotFound;
            try
            {
                if (!NativeLibrary.TryGetExport(library, Function, out IntPtr function))
                    return MklDispatchResult.NotFound;
                return SetCachedAnswer(function);
            }
            finally
            {
                NativeLibrary.Free(library);
            }
        }

        /// <summary>Checks the function's first 11 bytes (<c>8B 05 disp32 85 C0 78 01 C3</c>: return the int at
        /// rip + disp32 when it is not negative) and sets that int to 1 if MKL has not asked yet (-1).</summary>
        private static MklDispatchResult SetCachedAnswer(IntPtr function)
        {
            var code = new byte[11];
            Marshal.Copy(function, code, 0, code.Length);
            if (code[0] != 0x8B || code[1] != 0x05 || !code.AsSpan(6).SequenceEqual((ReadOnlySpan<byte>)[0x85, 0xC0, 0x78, 0x01, 0xC3]))
                return MklDispatchResult.UnknownCode;
            IntPtr cached = function + 6 + BitConverter.ToInt32(code, 2);   // rip-relative: from the end of the 6-byte mov
            switch (Marshal.ReadInt32(cached))
            {
                case -1:
                    Marshal.WriteInt32(cached, 1);
                    return MklDispatchResult.Applied;
                case 1:
                    return MklDispatchResult.Applied;
                case 0:
                    return MklDispatchResult.TooLate;
                default:
                    return MklDispatchResult.UnknownCode;
            }
        }

        /// <summary>CPUID leaf 0's vendor string (EBX, EDX, ECX) is "AuthenticAMD". MKL already takes its fast paths on
        /// Intel's processors; other vendors are left alone because only AMD's were measured.</summary>
        public static bool IsAmdProcessor()
        {
            if (!X86Base.IsSupported)
                return false;
            var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
            return ebx == 0x68747541 && edx == 0x69746E65 && ecx == 0x444D4163;   // "Auth" "enti" "cAMD"
        }

        private static bool IsOptedOut()
        {
            if (AppContext.TryGetSwitch(RuntimeSwitch, out bool enabled) && !enabled)
                return true;
            string value = Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim();
            return value is "0" || string.Equals(value, "false", StringComparison.OrdinalIgnoreCase);
        }

        [DllImport("libdl.so.2")]
        private static extern IntPtr dlopen([MarshalAs(UnmanagedType.LPUTF8Str)] string fileName, int flags);
    }

    /// <summary>What <see cref="MklCpuDispatch.EnsureApplied"/> did.</summary>
    internal enum MklDispatchResult
    {
        /// <summary>MKL will take (or already takes) its Intel code paths.</summary>
        Applied,

        /// <summary>Not an AMD processor: nothing to do.</summary>
        NotAmd,

        /// <summary>Disabled by the environment variable or the runtime switch.</summary>
        OptedOut,

        /// <summary>MKL had already answered "not Intel" and chosen its kernels.</summary>
        TooLate,

        /// <summary>libtorch_cpu.so is not loaded, or has no such function.</summary>
        NotFound,

        /// <summary>The function's code or the cached value is not what this fix expects: left alone.</summary>
        UnknownCode,
    }
}
