using System.Runtime.CompilerServices;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>
    /// MKL chooses its matrix kernels at its first call in a process (<see cref="MklCpuDispatch"/>): without this, tests
    /// that run TorchSharp products before the first Fit would leave the whole run on MKL's AMD kernels, and which
    /// kernels the suite ran on would depend on the order of its tests. The suite runs on the kernels Fit chooses.
    /// </summary>
    internal static class MklKernels
    {
#pragma warning disable CA2255 // a test assembly's process-wide setting, before any test
        [ModuleInitializer]
        internal static void ChooseBeforeAnyTest()
        {
            TorchSharp.torch.get_num_threads();   // loads libtorch
            MklCpuDispatch.EnsureApplied();
        }
#pragma warning restore CA2255
    }
}
