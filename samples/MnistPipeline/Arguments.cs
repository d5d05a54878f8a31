using MLNet.BatchNorm;
using MLNet.BatchNorm.TestSupport;

namespace MnistPipeline
{
    /// <summary>The parsed command line, as the modes read it (see <see cref="Program"/> for the options).</summary>
    public sealed record Arguments
    {
        public string Data { get; init; } = "mnist";
        public int? Epochs { get; init; }
        public bool UseBatchNorm { get; init; } = true;
        public BnMlpInputScaling InputScaling { get; init; } = BnMlpOptionsBase.Defaults.InputScaling;
        public int? Threads { get; init; }
        public int Seed { get; init; } = 1;
        public string OutputDirectory { get; init; } = ".";
        public float ValidationFraction { get; init; }
        public bool Compare { get; init; }
        public bool Replicate { get; init; }
        public string PlotsDirectory { get; init; }
        public string RegressionDirectory { get; init; }
        public int? SearchBudgetSeconds { get; init; }
        public int? SearchTrials { get; init; }
        public bool Suite { get; init; }
        public bool Tuned { get; init; }
        public int? Seeds { get; init; }
        public string[] Sets { get; init; }
        public string[] Contenders { get; init; }
        public string ScoreModel { get; init; }
        public string ScoreOutput { get; init; }
        public int? BinaryRows { get; init; }

        public (Digit[] Train, Digit[] Test) LoadData() => Data == "fashion" ? Digits.LoadFashion() : Digits.LoadMnist10k();
    }
}
