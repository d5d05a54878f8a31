using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.BatchNorm.TestSupport;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>One model trained with default options on mnist10k, shared by the tests that only read it; and one with
    /// the affine input scaling the ONNX export writes (the default smooth clip it does not).</summary>
    public sealed class MnistModelFixture
    {
        public MnistModelFixture()
        {
            Context = new MLContext(seed: 1);
            Train = Context.Data.LoadFromEnumerable(TestData.MnistTrain);
            Test = Context.Data.LoadFromEnumerable(TestData.MnistTest);
            Model = TestData.Pipeline(Context, new BnMlpTrainer.Options()).Fit(Train);
            Transformer = Model.LastTransformer;
            Exportable = TestData.Pipeline(Context, new BnMlpTrainer.Options { InputScaling = BnMlpInputScaling.Standard, NumberOfEpochs = 3 }).Fit(Train);
        }

        public MLContext Context { get; }

        public IDataView Train { get; }

        public IDataView Test { get; }

        public TransformerChain<BnMlpMulticlassTransformer> Model { get; }

        public BnMlpMulticlassTransformer Transformer { get; }

        /// <summary>Trained with <see cref="BnMlpInputScaling.Standard"/> (3 epochs), for the ONNX export.</summary>
        public TransformerChain<BnMlpMulticlassTransformer> Exportable { get; }
    }

    [CollectionDefinition(Name)]
    public sealed class MnistModelCollection : ICollectionFixture<MnistModelFixture>
    {
        public const string Name = "mnist10k default model";
    }
}
