using System;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using System.IO;
using System.Linq;
using MLNet.BatchNorm;

namespace MnistPipeline
{
    /// <summary>
    /// The command line (<c>--help</c> lists it). Without a mode option the sample runs the main job: train the BN-MLP
    /// pipeline, evaluate it, save, load and predict single rows. Each mode's code is in its own file.
    /// </summary>
    public static class Program
    {
        private static readonly Option<string> Data = new("--data") { Description = "Data set: mnist (the embedded mnist10k) or fashion (Debian's dataset-fashion-mnist).", DefaultValueFactory = _ => "mnist" };
        private static readonly Option<int?> Epochs = Positive<int?>("--epochs", "Training epochs (in --replicate: the long rows' epochs).");
        private static readonly Option<bool> NoBatchNorm = new("--no-bn") { Description = "Train without batch normalization." };
        private static readonly Option<BnMlpInputScaling> InputScaling = new("--input-scaling")
        {
            Description = "How the trainer scales the input features.", DefaultValueFactory = _ => BnMlpOptionsBase.Defaults.InputScaling,
        };
        private static readonly Option<int?> Threads = Positive<int?>("--threads", "TorchSharp threads while training.");
        private static readonly Option<int> Seed = new("--seed") { Description = "MLContext seed.", DefaultValueFactory = _ => 1 };
        private static readonly Option<string> Output = new("--out") { Description = "Directory for the model zip and tables.", DefaultValueFactory = _ => "." };
        private static readonly Option<float> Validation = new("--validation")
        {
            Description = "Fraction of the training rows held out to report validation accuracy per epoch, between 0 and 1.",
            CustomParser = result =>
            {
                string token = result.Tokens.Single().Value;
                if (float.TryParse(token, NumberStyles.Float, CultureInfo.InvariantCulture, out float value) && value > 0 && value < 1)
                    return value;
                result.AddError($"--validation needs a fraction between 0 and 1, got '{token}'.");
                return 0;
            },
        };
        private static readonly Option<bool> Compare = new("--compare") { Description = "Mode: search BnMlp options on the training rows, then compare against ML.NET's trainers on the test rows." };
        private static readonly Option<int?> Budget = Positive<int?>("--budget",
            "--compare: time budget of the search, in seconds [default: 120]; with --suite --tuned: per contender and outer fold [default: 10].");
        private static readonly Option<int?> Trials = Positive<int?>("--trials",
            "--compare: most candidates the search tries [default: 12]; with --suite --tuned: per contender and outer fold [default: as many as the budget allows].");
        private static readonly Option<bool> Suite = new("--suite") { Description = "--compare: run the tabular suite instead of the digits." };
        private static readonly Option<bool> Tuned = new("--tuned") { Description = "--compare --suite: add a searched BnMlp contender per data set." };
        private static readonly Option<int?> Seeds = Positive<int?>("--seeds", "--compare --suite: number of seeds per data set, from --seed on [default: 3].");
        private static readonly Option<string[]> Sets = new("--sets")
        {
            Description = "--compare --suite: comma-separated names of the suite's data sets to run.",
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = result => result.Tokens.Single().Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
        private static readonly Option<string[]> Contenders = new("--contenders")
        {
            Description = "--compare --suite: comma-separated names of the contenders to run (BnMlp, LightGbm, FastTree, FastForest, Lbfgs, Sdca) [default: all]. " +
                "The others' results do not depend on BnMlp's options: rerunning BnMlp alone after a change of its defaults saves their fits.",
            Arity = ArgumentArity.ExactlyOne,
            CustomParser = result => result.Tokens.Single().Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
        };
        private static readonly Option<bool> Replicate = new("--replicate") { Description = "Mode: the BN tutorial's 15-row table with and without BN, and the single-row trap." };
        private static readonly Option<string> Plots = new("--plots") { Description = "Mode: PNG pictures with and without BN into DIR (validation accuracy, pre-activation histograms; accuracy against Fit time from the leaderboard CSV in --out).", HelpName = "DIR" };
        private static readonly Option<string> Regression = new("--regression") { Description = "Mode: the BN tutorial's regression toy; cost curves and pre-activation PNGs into DIR, the table into --out.", HelpName = "DIR" };
        private static readonly Option<string[]> Score = new("--score")
        {
            Description = "Mode: load MODEL.zip in this (fresh) process and write the test set's scores to SCORES.bin as raw floats.",
            HelpName = "MODEL.zip SCORES.bin",
            Arity = new ArgumentArity(2, 2),
            AllowMultipleArgumentsPerToken = true,
        };
        private static readonly Option<string[]> ScoreBinary = new("--score-binary")
        {
            Description = "Mode: load the binary classifier MODEL.zip in this (fresh) process and write Score, Probability and PredictedLabel " +
                "(1 or 0) of ROWS rows of the binary toy (drawn with --seed) to SCORES.bin as raw floats.",
            HelpName = "MODEL.zip SCORES.bin ROWS",
            Arity = new ArgumentArity(3, 3),
            AllowMultipleArgumentsPerToken = true,
            Hidden = true,
        };

        public static int Main(string[] args) => CommandLine().Parse(args).Invoke();

        private static RootCommand CommandLine()
        {
            Data.AcceptOnlyFromAmong("mnist", "fashion");
            var root = new RootCommand("The BN-MLP sample on MNIST digits: train, evaluate, save, load and predict; or one of the modes below.")
            {
                Data, Epochs, NoBatchNorm, InputScaling, Threads, Seed, Output, Validation,
                Compare, Budget, Trials, Suite, Tuned, Seeds, Sets, Contenders, Replicate, Plots, Regression, Score, ScoreBinary,
            };
            root.Validators.Add(OneMode);
            root.SetAction(result =>
            {
                var arguments = new Arguments
                {
                    Data = result.GetValue(Data), Epochs = result.GetValue(Epochs), UseBatchNorm = !result.GetValue(NoBatchNorm), InputScaling = result.GetValue(InputScaling),
                    Threads = result.GetValue(Threads), Seed = result.GetValue(Seed), OutputDirectory = result.GetValue(Output),
                    ValidationFraction = result.GetValue(Validation), Compare = result.GetValue(Compare),
                    SearchBudgetSeconds = result.GetValue(Budget), SearchTrials = result.GetValue(Trials), Suite = result.GetValue(Suite),
                    Tuned = result.GetValue(Tuned), Seeds = result.GetValue(Seeds), Sets = result.GetValue(Sets), Contenders = result.GetValue(Contenders),
                    Replicate = result.GetValue(Replicate), PlotsDirectory = result.GetValue(Plots), RegressionDirectory = result.GetValue(Regression),
                };
                if (result.GetValue(Score) is [var model, var scores])
                    arguments = arguments with { ScoreModel = model, ScoreOutput = scores };
                if (result.GetValue(ScoreBinary) is [var binaryModel, var binaryScores, var rows])
                {
                    if (!int.TryParse(rows, NumberStyles.Integer, CultureInfo.InvariantCulture, out int rowCount) || rowCount < 1)
                    {
                        Console.Error.WriteLine($"--score-binary needs a row count of at least 1, got '{rows}'.");
                        return 2;
                    }
                    arguments = arguments with { ScoreModel = binaryModel, ScoreOutput = binaryScores, BinaryRows = rowCount };
                }
                try
                {
                    return Run(arguments);
                }
                catch (FileNotFoundException e)
                {
                    Console.Error.WriteLine(e.Message);
                    return 3;
                }
            });
            return root;
        }

        private static int Run(Arguments arguments)
        {
            if (arguments.ScoreModel != null)
                return arguments.BinaryRows is int rows ? SavedModelScoring.RunBinary(arguments, rows) : SavedModelScoring.Run(arguments);
            if (arguments.Suite)
                return SuiteMode.Run(arguments);
            if (arguments.Compare)
                return CompareMode.Run(arguments);
            if (arguments.Replicate)
                return ReplicateMode.Run(arguments);
            if (arguments.PlotsDirectory != null)
                return PlotsMode.Run(arguments);
            if (arguments.RegressionDirectory != null)
                return RegressionMode.Run(arguments);
            return PipelineRun.Run(arguments);
        }

        /// <summary>At most one mode; the suite's options only with --compare --suite.</summary>
        private static void OneMode(CommandResult command)
        {
            bool Given(Option option) => command.GetResult(option) is { Implicit: false };
            var modes = new Option[] { Compare, Replicate, Plots, Regression, Score, ScoreBinary }.Where(Given).Select(o => o.Name).ToArray();
            if (modes.Length > 1)
                command.AddError($"{string.Join(" and ", modes)} are separate modes: give one.");
            if (Given(Suite) && !Given(Compare))
                command.AddError("--suite is an option of --compare: give --compare --suite.");
            foreach (var option in new Option[] { Tuned, Seeds, Sets, Contenders }.Where(Given))
            {
                if (!Given(Suite))
                    command.AddError($"{option.Name} is an option of --compare --suite.");
            }
        }

        /// <summary>An integer option of at least 1 (<typeparamref name="T"/> is int or int?); anything else is an error naming it.</summary>
        private static Option<T> Positive<T>(string name, string description, int? defaultValue = null)
        {
            var option = new Option<T>(name)
            {
                Description = description,
                CustomParser = result =>
                {
                    string token = result.Tokens.Single().Value;
                    if (int.TryParse(token, NumberStyles.Integer, CultureInfo.InvariantCulture, out int value) && value >= 1)
                        return (T)(object)value;
                    result.AddError($"{name} needs an integer of at least 1, got '{token}'.");
                    return default;
                },
            };
            if (defaultValue is int fallback)
                option.DefaultValueFactory = _ => (T)(object)fallback;
            return option;
        }
    }
}
