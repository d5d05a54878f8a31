using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text.Json;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>
    /// Runs the PyTorch + OpenBLAS reference scripts of ../shared/bench/pytorch (beside this repository) and reads the
    /// JSON line they print. Null when the scripts are not there or fail (the table then says so).
    /// </summary>
    internal static class PyTorchReference
    {
        public static JsonElement? Run(string command, params string[] arguments)
        {
            string script = FindScript();
            if (script == null)
                return null;
            var start = new ProcessStartInfo("bash", [script, command, .. arguments]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start);
            string output = process.StandardOutput.ReadToEnd();
            process.StandardError.ReadToEnd();
            process.WaitForExit();
            string json = output.Split('\n').LastOrDefault(line => line.TrimStart().StartsWith('{'));
            if (process.ExitCode != 0 || json == null)
                return null;
            return JsonDocument.Parse(json).RootElement.Clone();
        }

        private static string FindScript()
        {
            for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory != null; directory = directory.Parent)
            {
                if (File.Exists(Path.Combine(directory.FullName, "MLNet.BatchNorm.sln")))
                {
                    string script = Path.Combine(directory.FullName, "..", "shared", "bench", "pytorch", "run.sh");
                    return File.Exists(script) ? script : null;
                }
            }
            return null;
        }
    }
}
