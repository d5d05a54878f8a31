using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.BatchNorm.TestSupport;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    [Collection(MnistModelCollection.Name)]
    public sealed class InferenceTests
    {
        private readonly MnistModelFixture _fixture;

        public InferenceTests(MnistModelFixture fixture) => _fixture = fixture;

        [Fact]
        public void DefaultOptionsReach95PercentOnMnist10kTest()
        {
            var metrics = _fixture.Context.MulticlassClassification.Evaluate(_fixture.Model.Transform(_fixture.Test));
            Assert.True(metrics.MicroAccuracy >= 0.95, $"accuracy {metrics.MicroAccuracy:P2}");
            Assert.InRange(metrics.LogLoss, 0, 0.3);
        }

        [Fact]
        public void ARowScoresTheSameAloneAsInABatchOf10000()
        {
            // 10,003 rows: whole blocks of the batch path, then a partial block whose last tile of rows is partial too.
            var ml = _fixture.Context;
            var rows = Enumerable.Range(0, 10_003).Select(i => TestData.MnistTest[i % TestData.MnistTest.Length]).ToArray();
            var batchScores = TestData.Scores(_fixture.Model.Transform(ml.Data.LoadFromEnumerable(rows)));
            var engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(_fixture.Model);
            for (int i = 0; i < rows.Length; i++)
                AssertBitIdentical(batchScores[i], engine.Predict(rows[i]).Score, $"row {i}, PredictionEngine");
            for (int i = 0; i < 300; i++)
            {
                var aloneInView = TestData.Scores(_fixture.Model.Transform(ml.Data.LoadFromEnumerable(new[] { rows[i] })))[0];
                AssertBitIdentical(batchScores[i], aloneInView, $"row {i}, one-row view");
            }
        }

        [Fact]
        public void ACursorThatReadsSomeRowsGetsTheirScoresNextToItsOwnColumns()
        {
            var ml = _fixture.Context;
            var scored = _fixture.Model.Transform(ml.Data.LoadFromEnumerable(TestData.MnistTest.Take(1_000)));
            var allScores = TestData.Scores(scored);
            var labelColumn = scored.Schema["Label"];
            var scoreColumn = scored.Schema["Score"];
            var labels = new List<uint>();
            using (var labelsOnly = scored.GetRowCursor([labelColumn]))
            {
                var getLabel = labelsOnly.GetGetter<uint>(labelColumn);
                uint label = 0;
                while (labelsOnly.MoveNext())
                {
                    getLabel(ref label);
                    labels.Add(label);
                }
            }

            using var cursor = scored.GetRowCursor([labelColumn, scoreColumn]);
            var getScore = cursor.GetGetter<VBuffer<float>>(scoreColumn);
            var getRowLabel = cursor.GetGetter<uint>(labelColumn);
            VBuffer<float> score = default;
            uint rowLabel = 0;
            int read = 0;
            while (cursor.MoveNext())
            {
                // Every seventh row of [100, 300) and [700, 1000): blocks are entered in the middle, and rows 300-699 (whole
                // blocks) are skipped unread.
                long row = cursor.Position;
                if (row % 7 != 0 || row < 100 || (row >= 300 && row < 700))
                    continue;
                getScore(ref score);
                getRowLabel(ref rowLabel);
                AssertBitIdentical(allScores[row], score.DenseValues().ToArray(), $"row {row}");
                Assert.Equal(labels[(int)row], rowLabel);
                read++;
            }
            Assert.Equal(1_000, labels.Count);
            Assert.Equal(71, read);
        }

        [Fact]
        public void FoldedInferenceMatchesUnfoldedReference()
        {
            var model = _fixture.Transformer.Model;
            var scores = TestData.Scores(_fixture.Model.Transform(_fixture.Test));
            for (int i = 0; i < 500; i++)
            {
                var expected = ReferenceNetwork.Probabilities(model, TestData.MnistTest[i].Features);
                for (int k = 0; k < expected.Length; k++)
                    Assert.Equal(expected[k], scores[i][k], 1e-5);
            }
        }

        [Fact]
        public void PublicParametersDescribeTheNetworkWithPopulationStatistics()
        {
            var model = _fixture.Transformer.Model;
            Assert.Equal(784, model.InputCount);
            Assert.Equal(10, model.OutputCount);
            Assert.Equal(new[] { 256, 128 }, model.HiddenLayerSizes);
            foreach (var layer in model.Layers.Take(2))
            {
                Assert.Null(layer.Bias);
                Assert.Equal(BnMlpActivation.ReLU, layer.Activation);
                var bn = layer.BatchNorm;
                Assert.Equal(BnMlpOptionsBase.Defaults.BatchNormEpsilon, bn.Epsilon);
                // Trained statistics, not the initial mean 0 / variance 1.
                Assert.Contains(bn.Mean, m => Math.Abs(m) > 0.01);
                Assert.Contains(bn.Variance, v => Math.Abs(v - 1) > 0.01);
                Assert.All(bn.Variance, v => Assert.True(v >= 0));
            }
            Assert.Null(model.Layers[^1].Activation);
            Assert.Null(model.Layers[^1].BatchNorm);
            Assert.Equal(10, model.Layers[^1].Bias.Count);
        }

        [Fact]
        public void OutputSchemaIsWhatMulticlassEvaluationExpects()
        {
            var schema = _fixture.Model.Transform(_fixture.Test).Schema;
            var score = schema["Score"];
            Assert.Equal(new VectorDataViewType(NumberDataViewType.Single, 10), score.Type);
            ReadOnlyMemory<char> kind = default;
            score.Annotations.GetValue(AnnotationUtils.Kinds.ScoreColumnKind, ref kind);
            Assert.Equal("MulticlassClassification", kind.ToString());
            var predicted = schema["PredictedLabel"];
            Assert.Equal(new KeyDataViewType(typeof(uint), 10), predicted.Type);
            VBuffer<uint> keyValues = default;
            predicted.GetKeyValues(ref keyValues);
            Assert.Equal(Enumerable.Range(0, 10).Select(i => (uint)i), keyValues.DenseValues());
        }

        [Fact]
        public void PredictionEngineGivesBackTheOriginalLabels()
        {
            var ml = _fixture.Context;
            var withLabels = _fixture.Model.Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel").Fit(_fixture.Model.Transform(_fixture.Test)));
            var engine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(withLabels);
            int correct = TestData.MnistTest.Take(500).Count(row => engine.Predict(row).PredictedLabel == row.Label);
            Assert.True(correct >= 470, $"{correct} of 500 single-row predictions correct");
        }

        [Fact]
        [Trait("Category", "Long")]
        public void ModelSavedHereScoresBitIdenticallyInAFreshProcess()
        {
            var ml = _fixture.Context;
            string directory = Directory.CreateTempSubdirectory("bnmlp-roundtrip").FullName;
            string zip = Path.Combine(directory, "model.zip"), scoresFile = Path.Combine(directory, "scores.bin");
            ml.Model.Save(_fixture.Model, _fixture.Train.Schema, zip);

            string sample = Path.Combine(AppContext.BaseDirectory, "MnistPipeline.dll");
            var start = new ProcessStartInfo("dotnet", [sample, "--score", zip, scoresFile]) { RedirectStandardOutput = true, RedirectStandardError = true };
            using var process = Process.Start(start);
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(120_000), "the scoring process did not finish");
            Assert.True(process.ExitCode == 0, output);

            var expected = TestData.Scores(_fixture.Model.Transform(_fixture.Test)).SelectMany(row => row).ToArray();
            var actual = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(scoresFile)).ToArray();
            Assert.Equal(expected.Length, actual.Length);
            for (int i = 0; i < expected.Length; i++)
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[i]), BitConverter.SingleToInt32Bits(actual[i]));
            Directory.Delete(directory, recursive: true);
        }

        private static void AssertBitIdentical(float[] expected, float[] actual, string where)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int k = 0; k < expected.Length; k++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[k]) == BitConverter.SingleToInt32Bits(actual[k]), $"{where}, score {k}: {expected[k]:R} != {actual[k]:R}");
        }
    }
}
