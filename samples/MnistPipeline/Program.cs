using System;
using System.Globalization;
using System.Linq;

namespace MnistPipeline
{
    /// <summary>
    /// Usage:
    ///   MnistPipeline [--data mnist|fashion] [--epochs N] [--no-bn] [--threads N] [--seed N] [--validation F] [--out DIR]
    ///       trains the BN-MLP pipeline, evaluates it, saves, loads and predicts single rows.
    ///   MnistPipeline --compare [--data mnist|fashion] [--budget SECONDS] [--trials N] [--seed N] [--out DIR]
    ///       searches BnMlp options on the training rows, then compares against ML.NET's trainers on the test rows.
    ///   MnistPipeline --compare --suite [--tuned] [--seeds N] [--budget SECONDS] [--sets A,B] [--seed N] [--out DIR]
    ///       the tabular suite (data/tabular): 5-fold CV repeated with N seeds (from --seed), defaults or tuned with
    ///       SECONDS of search per contender and fold; leaderboard Markdown, CSV and PNG in DIR.
    ///   MnistPipeline --replicate [--data mnist|fashion] [--epochs LONG] [--seed N] [--out DIR]
    ///       the BN tutorial's 15-row table with and without BN, and the single-row trap.
    ///   MnistPipeline --plots DIR [--data mnist|fashion] [--seed N]
    ///       PNG pictures with and without BN (validation accuracy, pre-activation histograms; a leaderboard CSV in DIR).
    ///   MnistPipeline --regression DIR [--epochs N] [--seed N]
    ///       the BN tutorial's regression toy with and without BN, ReLU and tanh: cost curves and pre-activation PNGs, R².
    ///   MnistPipeline --score MODEL.zip SCORES.bin [--data mnist|fashion]
    ///       loads a saved model in this (fresh) process and writes the test set's scores as raw floats.
    ///   MnistPipeline --score-binary MODEL.zip SCORES.bin ROWS [--seed N]
    ///       loads a saved binary classifier in this (fresh) process and writes, for ROWS rows of the binary toy drawn
    ///       with the seed, Score, Probability and PredictedLabel (1 or 0) as raw floats.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            try
            {
                var arguments = new Arguments(args);
                if (arguments.ScoreModel != null)
                    return arguments.BinaryRows is int rows ? SavedModelScoring.RunBinary(arguments, rows) : SavedModelScoring.Run(arguments);
                if (arguments.Compare && arguments.Suite)
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
            catch (ArgumentException e) when (e.ParamName == "args")
            {
                Console.Error.WriteLine(e.Message);
                return 2;
            }
            catch (System.IO.FileNotFoundException e)
            {
                Console.Error.WriteLine(e.Message);
                return 3;
            }
        }
    }

    /// <summary>The command line.</summary>
    public sealed class Arguments
    {
        public Arguments(string[] args)
        {
            for (int i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.", nameof(args));
                int NextInt() => int.TryParse(Next(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int v) ? v
                    : throw new ArgumentException($"{args[i - 1]} needs an integer.", nameof(args));
                switch (args[i])
                {
                    case "--data":
                        Data = Next();
                        if (Data is not ("mnist" or "fashion"))
                            throw new ArgumentException($"--data is mnist or fashion, not '{Data}'.", nameof(args));
                        break;
                    case "--epochs": Epochs = NextInt(); break;
                    case "--no-bn": UseBatchNorm = false; break;
                    case "--threads": Threads = NextInt(); break;
                    case "--seed": Seed = NextInt(); break;
                    case "--out": OutputDirectory = Next(); break;
                    case "--validation":
                        ValidationFraction = float.TryParse(Next(), NumberStyles.Float, CultureInfo.InvariantCulture, out float f) && f > 0 && f < 1 ? f
                            : throw new ArgumentException("--validation needs a fraction between 0 and 1.", nameof(args));
                        break;
                    case "--compare": Compare = true; break;
                    case "--replicate": Replicate = true; break;
                    case "--plots": PlotsDirectory = Next(); break;
                    case "--regression": RegressionDirectory = Next(); break;
                    case "--budget": Budget = NextInt(); break;
                    case "--suite": Suite = true; break;
                    case "--tuned": Tuned = true; break;
                    case "--seeds": Seeds = NextInt(); break;
                    case "--sets": Sets = Next().Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries); break;
                    case "--trials": SearchTrials = NextInt(); break;
                    case "--score":
                        ScoreModel = Next();
                        ScoreOutput = Next();
                        break;
                    case "--score-binary":
                        ScoreModel = Next();
                        ScoreOutput = Next();
                        BinaryRows = NextInt();
                        break;
                    default:
                        throw new ArgumentException($"Unknown argument '{args[i]}'. See samples/MnistPipeline/Program.cs for usage.", nameof(args));
                }
            }
        }

        public string Data { get; } = "mnist";
        public int? Epochs { get; }
        public bool UseBatchNorm { get; } = true;
        public int? Threads { get; }
        public int Seed { get; } = 1;
        public string OutputDirectory { get; } = ".";
        public float ValidationFraction { get; }
        public bool Compare { get; }
        public bool Replicate { get; }
        public string PlotsDirectory { get; }
        public string RegressionDirectory { get; }
        public int SearchBudgetSeconds => Budget ?? 120;
        public int? Budget { get; }
        public bool Suite { get; }
        public bool Tuned { get; }
        public int Seeds { get; } = 3;
        public string[] Sets { get; }
        public int SearchTrials { get; } = 12;
        public string ScoreModel { get; }
        public string ScoreOutput { get; }
        public int? BinaryRows { get; }

        public (Digit[] Train, Digit[] Test) LoadData() => Data == "fashion" ? Digits.LoadFashion() : Digits.LoadMnist10k();
    }
}
