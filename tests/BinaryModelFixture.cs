using Microsoft.ML;
using MnistPipeline;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>One binary classifier trained on the binary toy, shared by the tests that only read it.</summary>
    public sealed class BinaryModelFixture
    {
        public const int TrainRows = 4000, TestRows = 2000, TrainSeed = 1, TestSeed = 2;

        public BinaryModelFixture()
        {
            Context = new MLContext(seed: 1);
            TrainPoints = ToyBinary.Generate(TrainRows, TrainSeed);
            TestPoints = ToyBinary.Generate(TestRows, TestSeed);
            Train = Context.Data.LoadFromEnumerable(TrainPoints);
            Test = Context.Data.LoadFromEnumerable(TestPoints);
            Model = Context.BinaryClassification.Trainers.BnMlp(Options()).Fit(Train);
        }

        /// <summary>A small network that learns the toy in seconds on one thread.</summary>
        public static BnMlpBinaryTrainer.Options Options(int epochs = 20) => new()
        {
            HiddenLayerSizes = [32, 16], NumberOfEpochs = epochs, LearningRate = 3e-3f, DropoutRate = 0.1f, NumberOfThreads = 1,
        };

        public MLContext Context { get; }

        public BinaryPoint[] TrainPoints { get; }

        public BinaryPoint[] TestPoints { get; }

        public IDataView Train { get; }

        public IDataView Test { get; }

        public BnMlpBinaryTransformer Model { get; }
    }
}
