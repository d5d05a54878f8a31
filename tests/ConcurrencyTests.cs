using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.ML;
using MLNet.BatchNorm.TestSupport;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    [Collection(MnistModelCollection.Name)]
    public sealed class ConcurrencyTests
    {
        private const int Rows = 100_000;
        private const int Threads = 8;

        private readonly MnistModelFixture _fixture;

        public ConcurrencyTests(MnistModelFixture fixture) => _fixture = fixture;

        [Fact]
        [Trait("Category", "Long")]
        public void EightThreadsSharingOneLoadedModelGetExactlyTheSerialScores()
        {
            var ml = _fixture.Context;
            var saved = new MemoryStream();
            ml.Model.Save(_fixture.Model, _fixture.Train.Schema, saved);
            var loaded = ml.Model.Load(new MemoryStream(saved.ToArray()), out _);
            var rows = Enumerable.Range(0, Rows).Select(i => TestData.MnistTest[i % TestData.MnistTest.Length]).ToArray();
            var scored = loaded.Transform(ml.Data.LoadFromEnumerable(rows));
            var serial = TestData.Scores(scored);

            // Each thread: its own PredictionEngine over its share of the rows, and its own cursor over the shared view.
            var engineScores = new float[Rows][];
            var cursorScores = new float[Threads][][];
            Parallel.For(0, Threads, new ParallelOptions { MaxDegreeOfParallelism = Threads }, t =>
            {
                var engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(loaded);
                for (int i = t; i < Rows; i += Threads)
                    engineScores[i] = (float[])engine.Predict(rows[i]).Score.Clone();
                cursorScores[t] = TestData.Scores(scored);
            });

            for (int i = 0; i < Rows; i++)
                Assert.True(serial[i].SequenceEqual(engineScores[i]), $"PredictionEngine row {i} differs from the serial scores");
            for (int t = 0; t < Threads; t++)
                Assert.True(serial.Zip(cursorScores[t]).All(pair => pair.First.SequenceEqual(pair.Second)), $"thread {t}'s cursor differs from the serial scores");
        }
    }
}
