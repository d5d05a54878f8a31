using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>
    /// MKL's fast kernels on AMD (<see cref="MklCpuDispatch"/>) and its opt-outs. MKL chooses its kernels once per process,
    /// so each setting trains in a fresh process: the sample, on mnist10k, one thread.
    /// </summary>
    public sealed class MklDispatchTests
    {
        private const string Applied = "oneMKL takes its Intel code paths";
        private const string OptedOut = "oneMKL's vendor check left as it is (opted out";
        private const string NotAmd = "the processor is not AMD's";

        /// <summary>Different kernels sum in different orders: each epoch's mean training loss may differ in the last
        /// digits and the difference grows over the steps, but over two epochs stays far below 1 %.</summary>
        private const double RelativeLossTolerance = 0.01;

        [Fact]
        [Trait("Category", "Long")]
        public void TrainingWithAndWithoutTheFastKernelsGivesTheSameLossesWithinOnePercent()
        {
            var (fastLog, fastLosses) = Train(("MLNET_BATCHNORM_FAST_MKL", null), runtimeConfig: null);
            var (slowLog, slowLosses) = Train(("MLNET_BATCHNORM_FAST_MKL", "0"), runtimeConfig: null);

            Assert.Contains(MklCpuDispatch.IsAmdProcessor() ? Applied : NotAmd, fastLog);
            Assert.Contains(MklCpuDispatch.IsAmdProcessor() ? OptedOut : NotAmd, slowLog);
            Assert.Equal(2, fastLosses.Length);
            Assert.Equal(2, slowLosses.Length);
            for (int epoch = 0; epoch < fastLosses.Length; epoch++)
            {
                double difference = Math.Abs(fastLosses[epoch] - slowLosses[epoch]) / slowLosses[epoch];
                Assert.True(difference <= RelativeLossTolerance,
                    $"epoch {epoch + 1}: training loss {fastLosses[epoch]} with the fast kernels, {slowLosses[epoch]} without ({difference:P2} apart)");
            }
        }

        [Fact]
        [Trait("Category", "Long")]
        public void TheRuntimeConfigurationSwitchOptsOut()
        {
            if (!MklCpuDispatch.IsAmdProcessor())
                return;   // nothing to opt out of elsewhere
            string sample = Path.Combine(AppContext.BaseDirectory, "MnistPipeline.dll");
            var config = JsonNode.Parse(File.ReadAllText(Path.ChangeExtension(sample, ".runtimeconfig.json")));
            var options = config["runtimeOptions"].AsObject();
            if (options["configProperties"] is not JsonObject properties)
                options["configProperties"] = properties = new JsonObject();
            properties[MklCpuDispatch.RuntimeSwitch] = false;
            string path = Path.Combine(Directory.CreateTempSubdirectory("bnmlp-mkl").FullName, "optout.runtimeconfig.json");
            File.WriteAllText(path, config.ToJsonString());

            var (log, _) = Train(("MLNET_BATCHNORM_FAST_MKL", null), path);
            Assert.Contains(OptedOut, log);
            Directory.Delete(Path.GetDirectoryName(path), recursive: true);
        }

        /// <summary>Two epochs of the sample in a fresh process; its log and each epoch's training loss.</summary>
        private static (string Log, double[] Losses) Train((string Name, string Value) environment, string runtimeConfig)
        {
            string sample = Path.Combine(AppContext.BaseDirectory, "MnistPipeline.dll");
            string output = Directory.CreateTempSubdirectory("bnmlp-mkl").FullName;
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            start.ArgumentList.Add("exec");
            if (runtimeConfig != null)
            {
                start.ArgumentList.Add("--runtimeconfig");
                start.ArgumentList.Add(runtimeConfig);
            }
            foreach (string argument in new[] { sample, "--epochs", "2", "--threads", "1", "--out", output })
                start.ArgumentList.Add(argument);
            if (environment.Value is null)
                start.Environment.Remove(environment.Name);
            else
                start.Environment[environment.Name] = environment.Value;
            start.Environment["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";   // losses printed with a '.'
            using var process = Process.Start(start);
            var error = process.StandardError.ReadToEndAsync();
            string log = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(300_000), "the training process did not finish");
            Assert.True(process.ExitCode == 0, log + error.Result);
            Directory.Delete(output, recursive: true);
            var losses = Regex.Matches(log, @"Epoch \d+/\d+: training loss ([0-9.]+)")
                .Select(m => double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture)).ToArray();
            return (log, losses);
        }
    }
}
