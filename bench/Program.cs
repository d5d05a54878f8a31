using System;
using System.CommandLine;
using System.Globalization;
using System.Linq;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>
    /// The command line (<c>--help</c> lists it): one subcommand per benchmark, each with <c>--quick</c> for a short run.
    /// Each benchmark's code is in its own file.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args) => CommandLine().Parse(args).Invoke();

        private static RootCommand CommandLine() => new("Speed and memory benchmarks of MLNet.BatchNorm, with baselines measured in the same run.")
        {
            Inference(), BenchmarkDotNet(), Training(), TimeToAccuracyCommand(), Streaming(), TabularDefaultsCommand(),
        };

        private static Option<bool> Quick() => new("--quick") { Description = "A short run." };

        private static Command Inference()
        {
            var quick = Quick();
            var fashion = new Option<bool>("--fashion") { Description = "Score Fashion-MNIST's denser images instead of mnist10k's." };
            // The fresh child processes that time load-to-first-prediction (FirstPrediction.InFreshProcesses).
            var first = new Option<string>("--first-prediction") { Description = "Child process: load ZIP through ML.NET and predict one row.", HelpName = "ZIP", Hidden = true };
            var firstDirect = new Option<string>("--first-prediction-direct") { Description = "Child process: load ZIP with BnMlpPredictor.Load and predict one row.", HelpName = "ZIP", Hidden = true };
            var command = new Command("inference", "Single-row latency (warm and cold) and batch throughput of BnMlp against an unfolded network, TorchSharp eval, PyTorch and LbfgsMaximumEntropy; load to first prediction.")
            {
                quick, fashion, first, firstDirect,
            };
            command.SetAction(result =>
                result.GetValue(first) is string zip ? FirstPrediction.Run(zip, direct: false, result.GetValue(fashion))
                : result.GetValue(firstDirect) is string directZip ? FirstPrediction.Run(directZip, direct: true, result.GetValue(fashion))
                : InferenceBench.Run(result.GetValue(quick), result.GetValue(fashion)));
            return command;
        }

        private static Command BenchmarkDotNet()
        {
            var quick = Quick();
            var command = new Command("benchmarkdotnet", "The inference comparison under BenchmarkDotNet (--quick: its ShortRun job).") { quick };
            command.SetAction(result => InferenceBenchmarks.Run(result.GetValue(quick)));
            return command;
        }

        private static Command Training()
        {
            var quick = Quick();
            var threads = new Option<int>("--threads")
            {
                Description = "Threads of BnMlp's Fit (NumberOfThreads), the bare loop and PyTorch (set_num_threads).", DefaultValueFactory = _ => 1,
            };
            threads.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() < 1)
                    result.AddError($"--threads needs a positive number, got {result.GetValueOrDefault<int>()}.");
            });
            var matrixPrecision = new Option<BnMlpMatrixPrecision>("--matrix-precision") { Description = "Precision of BnMlp's matrix products (MatrixPrecision); the bare loop and PyTorch stay float32." };
            var command = new Command("training", "Training steps per second: BnMlp's Fit, a bare TorchSharp loop and PyTorch, one thread unless --threads says otherwise.") { quick, threads, matrixPrecision };
            command.SetAction(result => TrainingBench.Run(result.GetValue(quick), result.GetValue(threads), result.GetValue(matrixPrecision)));
            return command;
        }

        private static Command TimeToAccuracyCommand()
        {
            var defaults = new TimeToAccuracy.Settings();
            var quick = Quick();
            var epochs = new Option<int?>("--epochs") { Description = $"Epochs [default: {TimeToAccuracy.Settings.DefaultEpochs}, {TimeToAccuracy.Settings.QuickEpochs} with --quick]." };
            var hidden = new Option<int[]>("--hidden")
            {
                Description = "Hidden layer sizes, comma-separated.", HelpName = "N,N",
                Arity = ArgumentArity.ExactlyOne, DefaultValueFactory = _ => defaults.Hidden,
                CustomParser = result =>
                {
                    string token = result.Tokens.Single().Value;
                    var sizes = token.Split(',').Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? n : 0).ToArray();
                    if (sizes.All(n => n > 0))
                        return sizes;
                    result.AddError($"--hidden needs positive integers separated by commas, got '{token}'.");
                    return null;
                },
            };
            var dropout = new Option<float>("--dropout") { Description = "Dropout rate.", DefaultValueFactory = _ => defaults.Dropout };
            var optimizer = new Option<BnMlpOptimizer>("--optimizer") { Description = "Optimizer.", DefaultValueFactory = _ => defaults.Optimizer };
            var momentum = new Option<float>("--momentum") { Description = "Momentum of SgdMomentum.", DefaultValueFactory = _ => defaults.Momentum };
            var weightDecay = new Option<float>("--weight-decay") { Description = "L2 weight decay.", DefaultValueFactory = _ => defaults.WeightDecay };
            var learningRate = new Option<float>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => defaults.LearningRate };
            var schedule = new Option<LearningRateSchedule>("--schedule") { Description = "Learning rate schedule.", DefaultValueFactory = _ => defaults.Schedule };
            var batch = new Option<int>("--batch") { Description = "Rows per mini-batch.", DefaultValueFactory = _ => defaults.Batch };
            var threads = new Option<int>("--threads") { Description = "TorchSharp threads.", DefaultValueFactory = _ => defaults.Threads };
            var inputScaling = new Option<BnMlpInputScaling>("--input-scaling") { Description = "Input scaling.", DefaultValueFactory = _ => defaults.InputScaling };
            var select = new Option<bool>("--select") { Description = "Report validation accuracy only, without the refit on all rows or the test set (to choose a configuration)." };
            var ensemble = new Option<int>("--ensemble") { Description = "Networks trained side by side and averaged (EnsembleSize).", DefaultValueFactory = _ => defaults.Ensemble };
            var labelSmoothing = new Option<float>("--label-smoothing") { Description = "Label smoothing.", DefaultValueFactory = _ => defaults.LabelSmoothing };
            var matrixPrecision = new Option<BnMlpMatrixPrecision>("--matrix-precision") { Description = "Precision of the training's matrix products (MatrixPrecision).", DefaultValueFactory = _ => defaults.MatrixPrecision };
            var command = new Command("time-to-accuracy",
                "Fit time until Fashion-MNIST validation accuracy (10,000 held-out training rows) reaches 90.5 % and 91 %; then the same configuration fitted on all 60,000 training rows, and its test accuracy.")
            {
                quick, select, inputScaling, epochs, hidden, dropout, optimizer, momentum, weightDecay, learningRate, schedule, batch, threads, ensemble, labelSmoothing, matrixPrecision,
            };
            command.SetAction(result => TimeToAccuracy.Run(new TimeToAccuracy.Settings
            {
                Quick = result.GetValue(quick), Epochs = result.GetValue(epochs), Hidden = result.GetValue(hidden),
                Dropout = result.GetValue(dropout), Optimizer = result.GetValue(optimizer), Momentum = result.GetValue(momentum),
                WeightDecay = result.GetValue(weightDecay), LearningRate = result.GetValue(learningRate), Schedule = result.GetValue(schedule),
                Batch = result.GetValue(batch), Threads = result.GetValue(threads), InputScaling = result.GetValue(inputScaling),
                Select = result.GetValue(select), Ensemble = result.GetValue(ensemble), LabelSmoothing = result.GetValue(labelSmoothing),
                MatrixPrecision = result.GetValue(matrixPrecision),
            }));
            return command;
        }

        private static Command Streaming()
        {
            var quick = Quick();
            // The fresh child process that measures an in-memory Fit on Fashion-MNIST (StreamingBench.MeasureFashionInFreshProcess).
            var fashionMemory = new Option<string>("--fashion-memory") { Description = "Child process: peak memory of a Fit on the binary IDataView FILE.", HelpName = "FILE", Hidden = true };
            var command = new Command("streaming", "Training beyond memory: a streamed epoch against an in-memory one, peak resident memory.") { quick, fashionMemory };
            command.SetAction(result => result.GetValue(fashionMemory) is string file ? StreamingBench.MeasureFashion(file) : StreamingBench.Run(result.GetValue(quick)));
            return command;
        }

        private static Command TabularDefaultsCommand()
        {
            var sets = CommaSeparated("--sets", "Suite data sets to run [default: all].");
            var variants = CommaSeparated("--variants", $"BnMlp option variants [default: {string.Join(",", TabularDefaults.DefaultVariants)}].");
            var folds = new Option<int>("--folds") { Description = "Cross-validation folds.", DefaultValueFactory = _ => 5 };
            var seeds = new Option<int[]>("--seeds")
            {
                Description = "Seeds, comma-separated.", HelpName = "N,N", Arity = ArgumentArity.ExactlyOne, DefaultValueFactory = _ => [1],
                CustomParser = result =>
                {
                    string token = result.Tokens.Single().Value;
                    var values = token.Split(',').Select(s => int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int n) ? (int?)n : null).ToArray();
                    if (values.All(n => n.HasValue))
                        return values.Select(n => n.Value).ToArray();
                    result.AddError($"--seeds needs integers separated by commas, got '{token}'.");
                    return null;
                },
            };
            var command = new Command("tabular-defaults", "BnMlp option variants cross-validated on the tabular suite (accuracy or R²), to choose defaults.")
            {
                sets, variants, folds, seeds,
            };
            command.SetAction(result => TabularDefaults.Run(result.GetValue(sets), result.GetValue(variants) ?? TabularDefaults.DefaultVariants,
                result.GetValue(folds), result.GetValue(seeds)));
            return command;
        }

        private static Option<string[]> CommaSeparated(string name, string description) => new(name)
        {
            Description = description, HelpName = "A,B", Arity = ArgumentArity.ExactlyOne,
            CustomParser = result => result.Tokens.Single().Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
    }
}
