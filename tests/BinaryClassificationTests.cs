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
using Xunit.Abstractions;

namespace MLNet.BatchNorm.Tests
{
    public sealed class BinaryClassificationTests : IClassFixture<BinaryModelFixture>
    {
        private readonly BinaryModelFixture _fixture;
        private readonly ITestOutputHelper _output;

        public BinaryClassificationTests(BinaryModelFixture fixture, ITestOutputHelper output)
        {
            _fixture = fixture;
            _output = output;
        }

        [Fact]
        public void EvaluateGivesTheMetricsOfTheScoredRowsAndBeatsALinearModel()
        {
            var ml = _fixture.Context;
            var scored = _fixture.Model.Transform(_fixture.Test);
            var metrics = ml.BinaryClassification.Evaluate(scored);
            var rows = ScoredRows(scored);
            var labels = _fixture.TestPoints.Select(p => p.Label).ToArray();

            // The columns are what they claim: the logit, its sigmoid, and whether it is positive.
            foreach (var row in rows)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(1f / (1f + MathF.Exp(-row.Score))), BitConverter.SingleToInt32Bits(row.Probability));
                Assert.Equal(row.Score > 0, row.PredictedLabel);
            }

            // Evaluate's figures are those of the rows, computed here independently.
            int tp = Enumerable.Range(0, rows.Length).Count(i => rows[i].PredictedLabel && labels[i]);
            int fp = Enumerable.Range(0, rows.Length).Count(i => rows[i].PredictedLabel && !labels[i]);
            int fn = Enumerable.Range(0, rows.Length).Count(i => !rows[i].PredictedLabel && labels[i]);
            int tn = rows.Length - tp - fp - fn;
            double precision = (double)tp / (tp + fp), recall = (double)tp / (tp + fn);
            Assert.Equal((double)(tp + tn) / rows.Length, metrics.Accuracy, 1e-12);
            Assert.Equal(2 * precision * recall / (precision + recall), metrics.F1Score, 1e-12);
            Assert.Equal(RocAuc(rows.Select(r => r.Score).ToArray(), labels), metrics.AreaUnderRocCurve, 1e-9);
            double logLossBits = Enumerable.Range(0, rows.Length)
                .Average(i => labels[i] ? -Math.Log(rows[i].Probability, 2) : -Math.Log(1.0 - rows[i].Probability, 2));
            Assert.Equal(logLossBits, metrics.LogLoss, 1e-9);

            // The toy's logit is non-linear: the best possible AUC (from the true probabilities) is far above a linear model's.
            double bayes = RocAuc(_fixture.TestPoints.Select(p => (float)ToyBinary.Logit(p.Features)).ToArray(), labels);
            var linear = ml.BinaryClassification.Trainers.LbfgsLogisticRegression().Fit(_fixture.Train);
            double linearAuc = ml.BinaryClassification.Evaluate(linear.Transform(_fixture.Test)).AreaUnderRocCurve;
            _output.WriteLine($"AUC: BnMlp {metrics.AreaUnderRocCurve:F4}, logistic regression {linearAuc:F4}, true probabilities {bayes:F4}; " +
                $"accuracy {metrics.Accuracy:F4}, F1 {metrics.F1Score:F4}, log-loss {metrics.LogLoss:F4} bits");
            Assert.True(metrics.AreaUnderRocCurve > 0.85, $"AUC {metrics.AreaUnderRocCurve:F4}");
            Assert.True(metrics.AreaUnderRocCurve > linearAuc + 0.1, $"AUC {metrics.AreaUnderRocCurve:F4} against logistic regression's {linearAuc:F4}");
            Assert.True(metrics.AreaUnderRocCurve > bayes - 0.05, $"AUC {metrics.AreaUnderRocCurve:F4} against the true probabilities' {bayes:F4}");
        }

        [Fact]
        public void ProbabilitiesAreCalibratedOnHeldOutRows()
        {
            var rows = ScoredRows(_fixture.Model.Transform(_fixture.Test));
            var labels = _fixture.TestPoints.Select(p => p.Label).ToArray();
            // Expected calibration error over 10 equal-width probability bins: the row-weighted gap between each bin's
            // mean probability and its fraction of true labels.
            double ece = 0;
            for (int bin = 0; bin < 10; bin++)
            {
                var members = Enumerable.Range(0, rows.Length).Where(i => Math.Min((int)(rows[i].Probability * 10), 9) == bin).ToArray();
                if (members.Length == 0)
                    continue;
                double gap = Math.Abs(members.Average(i => rows[i].Probability) - members.Average(i => labels[i] ? 1.0 : 0.0));
                ece += gap * members.Length / rows.Length;
            }
            _output.WriteLine($"Expected calibration error (10 bins, {rows.Length} held-out rows): {ece:F4}");
            Assert.True(ece < 0.05, $"ECE {ece:F4}");
        }

        [Fact]
        public void OutputSchemaIsTheOneOfMLNetsCalibratedBinaryTrainers()
        {
            var ml = _fixture.Context;
            var linearEstimator = ml.BinaryClassification.Trainers.LbfgsLogisticRegression();
            var linear = linearEstimator.Fit(_fixture.Train);
            Assert.Equal(Describe(linear.Transform(_fixture.Test).Schema), Describe(_fixture.Model.Transform(_fixture.Test).Schema));
            // Scoring scored data starts a second score column set and hides the first set's columns. ML.NET puts each new
            // column right after the one it hides, BnMlp after all the input's: the same columns, the visible ones in the same order.
            var scoredOnce = linear.Transform(_fixture.Test);
            var expected = Describe(linear.Transform(scoredOnce).Schema);
            var actual = Describe(_fixture.Model.Transform(scoredOnce).Schema);
            Assert.Equal(expected.Order(), actual.Order());
            Assert.Equal(expected.Where(c => c.Contains("hidden=False")), actual.Where(c => c.Contains("hidden=False")));
            Assert.Contains(actual, c => c.StartsWith("Probability Single hidden=False") && c.Contains("ScoreColumnSetId Key<UInt32, 0-2147483646> = 2"));

            // The estimator promises exactly what the transformer gives, and what ML.NET's estimator promises.
            var input = SchemaShape.Create(_fixture.Train.Schema);
            var promised = Describe(ml.BinaryClassification.Trainers.BnMlp(BinaryModelFixture.Options()).GetOutputSchema(input));
            Assert.Equal(Describe(SchemaShape.Create(_fixture.Model.GetOutputSchema(_fixture.Train.Schema))), promised);
            Assert.Equal(Describe(linearEstimator.GetOutputSchema(input)), promised);
        }

        [Fact]
        [Trait("Category", "Long")]
        public void CrossValidateAndPermutationFeatureImportanceWork()
        {
            var ml = new MLContext(seed: 3);
            var data = ml.Data.LoadFromEnumerable(ToyBinary.Generate(3000, seed: 3));
            var folds = ml.BinaryClassification.CrossValidate(data, ml.BinaryClassification.Trainers.BnMlp(BinaryModelFixture.Options()), numberOfFolds: 3);
            Assert.Equal(3, folds.Count);
            _output.WriteLine("Cross-validation AUC per fold: " + string.Join(", ", folds.Select(f => f.Metrics.AreaUnderRocCurve.ToString("F4"))));
            Assert.All(folds, f => Assert.True(f.Metrics.AreaUnderRocCurve > 0.8, $"fold AUC {f.Metrics.AreaUnderRocCurve:F4}"));

            var importance = ml.BinaryClassification.PermutationFeatureImportance(_fixture.Model, _fixture.Test, permutationCount: 2);
            Assert.Equal(ToyBinary.FeatureCount, importance.Length);
            double informative = importance[ToyBinary.LinearFeature].AreaUnderRocCurve.Mean, noise = importance[ToyBinary.NoiseFeature].AreaUnderRocCurve.Mean;
            _output.WriteLine($"AUC change when permuted: x{ToyBinary.LinearFeature} (informative) {informative:F4}, x{ToyBinary.NoiseFeature} (noise) {noise:F4}");
            Assert.True(informative < noise - 0.03, $"informative {informative:F4}, noise {noise:F4}");
            Assert.InRange(noise, -0.01, 0.01);
        }

        [Fact]
        public void ModelSavedHereScoresBitIdenticallyInAFreshProcessAndThroughBnMlpPredictor()
        {
            const int rows = 1000, seed = 5;
            var ml = _fixture.Context;
            string directory = Directory.CreateTempSubdirectory("bnmlp-binary").FullName;
            string zip = Path.Combine(directory, "model.zip"), scoresFile = Path.Combine(directory, "scores.bin");
            ml.Model.Save(_fixture.Model, _fixture.Train.Schema, zip);

            string sample = Path.Combine(AppContext.BaseDirectory, "MnistPipeline.dll");
            var start = new ProcessStartInfo("dotnet", [sample, "--score-binary", zip, scoresFile, rows.ToString(), "--seed", seed.ToString()])
            {
                RedirectStandardOutput = true, RedirectStandardError = true,
            };
            using var process = Process.Start(start);
            string output = process.StandardOutput.ReadToEnd() + process.StandardError.ReadToEnd();
            Assert.True(process.WaitForExit(120_000), "the scoring process did not finish");
            Assert.True(process.ExitCode == 0, output);

            var points = ToyBinary.Generate(rows, seed);
            var expected = ScoreColumn.BinaryRows(_fixture.Model.Transform(ml.Data.LoadFromEnumerable(points))).SelectMany(r => r).ToArray();
            var actual = MemoryMarshal.Cast<byte, float>(File.ReadAllBytes(scoresFile)).ToArray();
            Assert.Equal(3 * rows, expected.Length);
            AssertBitIdentical(expected, actual, "fresh process");

            var loaded = ml.Model.Load(zip, out _);
            Assert.IsType<BnMlpBinaryTransformer>(loaded);
            var direct = BnMlpPredictor.Load(zip);
            var inProcess = new BnMlpPredictor(_fixture.Model);
            Assert.Equal(1, direct.OutputCount);
            var probability = new float[1];
            for (int i = 0; i < rows; i++)
            {
                direct.Predict(points[i].Features, probability);
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[3 * i + 1]), BitConverter.SingleToInt32Bits(probability[0]));
                inProcess.Predict(points[i].Features, probability);
                Assert.Equal(BitConverter.SingleToInt32Bits(expected[3 * i + 1]), BitConverter.SingleToInt32Bits(probability[0]));
            }
            Directory.Delete(directory, recursive: true);
        }

        [Fact]
        public void ARowScoresTheSameAloneAsInABatch()
        {
            // 1,003 rows: whole blocks of the batch path, then a partial block whose last tile of rows is partial too.
            var ml = _fixture.Context;
            var points = ToyBinary.Generate(1003, seed: 6);
            var batch = ScoredRows(_fixture.Model.Transform(ml.Data.LoadFromEnumerable(points)));
            var engine = ml.Model.CreatePredictionEngine<BinaryPoint, BinaryPrediction>(_fixture.Model);
            for (int i = 0; i < points.Length; i++)
            {
                var alone = engine.Predict(points[i]);
                Assert.Equal(BitConverter.SingleToInt32Bits(batch[i].Score), BitConverter.SingleToInt32Bits(alone.Score));
                Assert.Equal(BitConverter.SingleToInt32Bits(batch[i].Probability), BitConverter.SingleToInt32Bits(alone.Probability));
                Assert.Equal(batch[i].PredictedLabel, alone.PredictedLabel);
            }
            for (int i = 0; i < 100; i++)
            {
                var aloneInView = ScoredRows(_fixture.Model.Transform(ml.Data.LoadFromEnumerable(new[] { points[i] })))[0];
                Assert.Equal(BitConverter.SingleToInt32Bits(batch[i].Score), BitConverter.SingleToInt32Bits(aloneInView.Score));
            }
        }

        [Fact]
        [Trait("Category", "Long")]
        public void PositiveClassWeightRaisesRecallOnImbalancedData()
        {
            const double intercept = -3.5;
            var trainPoints = ToyBinary.Generate(4000, seed: 11, intercept);
            var testPoints = ToyBinary.Generate(4000, seed: 12, intercept);
            double positives = trainPoints.Count(p => p.Label) / (double)trainPoints.Length;
            BinaryClassificationMetrics Metrics(float positiveClassWeight)
            {
                var ml = new MLContext(seed: 11);
                var options = BinaryModelFixture.Options();
                options.PositiveClassWeight = positiveClassWeight;
                var model = ml.BinaryClassification.Trainers.BnMlp(options).Fit(ml.Data.LoadFromEnumerable(trainPoints));
                return ml.BinaryClassification.Evaluate(model.Transform(ml.Data.LoadFromEnumerable(testPoints)));
            }
            float weight = (float)Math.Round((1 - positives) / positives);
            var plain = Metrics(1);
            var weighted = Metrics(weight);
            _output.WriteLine($"{positives:P1} positive. Weight 1: recall {plain.PositiveRecall:F3}, precision {plain.PositivePrecision:F3}, AUC {plain.AreaUnderRocCurve:F4}; " +
                $"weight {weight}: recall {weighted.PositiveRecall:F3}, precision {weighted.PositivePrecision:F3}, AUC {weighted.AreaUnderRocCurve:F4}");
            Assert.InRange(positives, 0.05, 0.2);
            Assert.True(plain.AreaUnderRocCurve > 0.8, $"AUC {plain.AreaUnderRocCurve:F4}");
            Assert.True(weighted.PositiveRecall > plain.PositiveRecall + 0.2, $"recall {weighted.PositiveRecall:F3} against {plain.PositiveRecall:F3}");
            Assert.True(weighted.PositivePrecision < plain.PositivePrecision, $"precision {weighted.PositivePrecision:F3} against {plain.PositivePrecision:F3}");
        }

        [Fact]
        [Trait("Category", "Long")]
        public void ExampleWeightsChangeTheModelAndCombineWithThePositiveClassWeight()
        {
            var trainPoints = ToyBinary.Generate(3000, seed: 13);
            var weightedPoints = trainPoints.Select(p => new BinaryPoint { Features = p.Features, Label = p.Label, Weight = p.Label ? 1 : 4 }).ToArray();
            var test = _fixture.Context.Data.LoadFromEnumerable(ToyBinary.Generate(2000, seed: 14));
            (double MeanProbability, double Auc) Fit(BinaryPoint[] points, string weightColumn, float positiveClassWeight)
            {
                var ml = new MLContext(seed: 13);
                var options = BinaryModelFixture.Options();
                options.ExampleWeightColumnName = weightColumn;
                options.PositiveClassWeight = positiveClassWeight;
                var scored = ml.BinaryClassification.Trainers.BnMlp(options).Fit(ml.Data.LoadFromEnumerable(points)).Transform(test);
                return (ScoredRows(scored).Average(r => r.Probability), ml.BinaryClassification.Evaluate(scored).AreaUnderRocCurve);
            }
            var unweighted = Fit(trainPoints, null, 1);
            var negativesFourTimes = Fit(weightedPoints, nameof(BinaryPoint.Weight), 1);
            // Weight 4 on every negative row and on every positive row is no weighting at all (the loss is a weighted mean).
            var balancedAgain = Fit(weightedPoints, nameof(BinaryPoint.Weight), 4);
            _output.WriteLine($"Mean test probability: unweighted {unweighted.MeanProbability:F4}, negatives weighing 4 {negativesFourTimes.MeanProbability:F4}, " +
                $"and positive class weight 4 {balancedAgain.MeanProbability:F4}");
            Assert.True(negativesFourTimes.MeanProbability < unweighted.MeanProbability - 0.1,
                $"mean probability {negativesFourTimes.MeanProbability:F4} against {unweighted.MeanProbability:F4}");
            Assert.Equal(unweighted.MeanProbability, balancedAgain.MeanProbability, 0.02);
            Assert.Equal(unweighted.Auc, balancedAgain.Auc, 0.01);
        }

        [Fact]
        public void ValidationReportsTheLogLossAndAccuracyEvaluateGives()
        {
            var ml = new MLContext(seed: 15);
            var train = ml.Data.LoadFromEnumerable(ToyBinary.Generate(2000, seed: 15));
            var validation = ml.Data.LoadFromEnumerable(ToyBinary.Generate(1000, seed: 16));
            var recorder = new EpochRecorder();
            var options = BinaryModelFixture.Options(epochs: 4);
            options.Progress = recorder;
            options.EnsembleSize = 1; // the last epoch's metrics are the returned model's only for one network
            var model = ml.BinaryClassification.Trainers.BnMlp(options).Fit(train, validation);
            Assert.Equal(4, recorder.Epochs.Count);
            var last = recorder.Epochs[^1];
            var metrics = ml.BinaryClassification.Evaluate(model.Transform(validation));
            // ML.NET's log-loss is in bits, the validation loss in nats.
            Assert.Equal(metrics.LogLoss * Math.Log(2), last.ValidationLoss.Value, 1e-4);
            Assert.Equal(metrics.Accuracy, last.ValidationAccuracy.Value, 1e-3);
        }

        [Fact]
        public void RefusesALabelThatIsNotBooleanNamingItAndItsType()
        {
            var ml = new MLContext(seed: 1);
            var points = ToyBinary.Generate(50, seed: 1);
            var floatLabel = ml.Data.LoadFromEnumerable(points.Select(p => new FloatLabelRow { Features = p.Features, Label = p.Label ? 1 : 0 }));
            var textLabel = ml.Data.LoadFromEnumerable(points.Select(p => new TextLabelRow { Features = p.Features, Label = p.Label ? "yes" : "no" }));
            var keyLabel = ml.Transforms.Conversion.MapValueToKey("Label").Fit(textLabel).Transform(textLabel);
            foreach (var (data, type) in new[] { (floatLabel, "Single"), (textLabel, "String"), (keyLabel, "Key<UInt32") })
            {
                var trainer = ml.BinaryClassification.Trainers.BnMlp(BinaryModelFixture.Options(epochs: 1));
                var fit = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.Fit(data));
                Assert.Contains("Schema mismatch for label column 'Label': expected Boolean", fit.Message);
                Assert.Contains($"got {type}", fit.Message);
                var shape = Assert.Throws<ArgumentOutOfRangeException>(() => trainer.GetOutputSchema(SchemaShape.Create(data.Schema)));
                Assert.Contains("Schema mismatch for label column 'Label': expected Boolean", shape.Message);
                Assert.Contains($"got {type}", shape.Message);
            }

            var oneClass = ml.Data.LoadFromEnumerable(points.Select(p => new BinaryPoint { Features = p.Features, Label = false }));
            var error = Assert.Throws<InvalidOperationException>(() => ml.BinaryClassification.Trainers.BnMlp().Fit(oneClass));
            Assert.Contains("Label column 'Label' is false in every row", error.Message);
        }

        [Theory]
        [InlineData(0f)]
        [InlineData(-1f)]
        [InlineData(float.NaN)]
        [InlineData(float.PositiveInfinity)]
        public void RefusesAPositiveClassWeightThatIsNotPositiveAndFinite(float weight)
        {
            var ml = new MLContext(seed: 1);
            var error = Assert.Throws<ArgumentOutOfRangeException>(() =>
                ml.BinaryClassification.Trainers.BnMlp(new BnMlpBinaryTrainer.Options { PositiveClassWeight = weight }));
            Assert.Equal(nameof(BnMlpBinaryTrainer.Options.PositiveClassWeight), error.ParamName);
            var epochs = Assert.Throws<ArgumentOutOfRangeException>(() => ml.BinaryClassification.Trainers.BnMlp(numberOfEpochs: 0));
            Assert.Equal(nameof(BnMlpOptionsBase.NumberOfEpochs), epochs.ParamName);
        }

        [Fact]
        public void TheSameSeedTrainsTheSameModel()
        {
            BinaryPrediction[] Scores()
            {
                var ml = new MLContext(seed: 17);
                var data = ml.Data.LoadFromEnumerable(ToyBinary.Generate(600, seed: 17));
                return ScoredRows(ml.BinaryClassification.Trainers.BnMlp(BinaryModelFixture.Options(epochs: 3)).Fit(data).Transform(data));
            }
            var first = Scores();
            var second = Scores();
            AssertBitIdentical(first.Select(r => r.Score).ToArray(), second.Select(r => r.Score).ToArray(), "second fit");
        }

        [Fact]
        public void BooleanLabelsStreamAsTheyTrainInMemory()
        {
            // 30,000 rows of 8 features, a label and a weight take 44 bytes each, 1.3 MB: a 1 MB budget streams them. In
            // order, the windows end on batch boundaries, so the batches are the in-memory ones.
            var points = ToyBinary.Generate(30_000, seed: 19);
            string log = "";
            float[] Scores(int budget)
            {
                var ml = new MLContext(seed: 19);
                ml.Log += (_, e) => log += e.RawMessage + "\n";
                var options = new BnMlpBinaryTrainer.Options
                {
                    HiddenLayerSizes = [16], NumberOfEpochs = 2, ShuffleEachEpoch = false, DropoutRate = 0, PositiveClassWeight = 2,
                    ExampleWeightColumnName = nameof(BinaryPoint.Weight), PopulationStatistics = PopulationStatisticsMode.MovingAverage,
                    NumberOfThreads = 1, MemoryBudgetMegabytes = budget,
                };
                var data = ml.Data.LoadFromEnumerable(points);
                return ScoredRows(ml.BinaryClassification.Trainers.BnMlp(options).Fit(data).Transform(data)).Select(r => r.Score).ToArray();
            }
            var inMemory = Scores(budget: 1000);
            Assert.DoesNotContain("Streaming", log);
            AssertBitIdentical(inMemory, Scores(budget: 1), "streamed");
            Assert.Contains("Streaming 2 chunks of up to 23808 rows.", log);
        }

        [Fact]
        public void ABinaryModelEntryHasOneOutputUnit()
        {
            var format = ModelEntryFormat.FromSignature(ModelEntryFormat.Binary.SignatureValue);
            Assert.Same(ModelEntryFormat.Binary, format);
            Assert.Equal(BnMlpModelKind.Binary, format.Kind);
            format.CheckOutputCount(new BnMlpModelParameters([new BnMlpLayer(3, 1, new float[3], new float[1], null, null)]));
            var twoUnits = new BnMlpModelParameters([new BnMlpLayer(3, 2, new float[6], new float[2], null, null)]);
            var error = Assert.Throws<InvalidDataException>(() => format.CheckOutputCount(twoUnits));
            Assert.Contains("a binary classifier with 2 output units", error.Message);
        }

        /// <summary>The Score, Probability and PredictedLabel columns, row by row.</summary>
        private static BinaryPrediction[] ScoredRows(IDataView scored) =>
            ScoreColumn.BinaryRows(scored).Select(r => new BinaryPrediction { Score = r[0], Probability = r[1], PredictedLabel = r[2] == 1 }).ToArray();

        /// <summary>The probability that a random positive row scores above a random negative one (ties count half).</summary>
        private static double RocAuc(float[] scores, bool[] labels)
        {
            var order = Enumerable.Range(0, scores.Length).OrderBy(i => scores[i]).ToArray();
            double positiveRankSum = 0;
            for (int start = 0; start < order.Length;)
            {
                int end = start;
                while (end < order.Length && scores[order[end]] == scores[order[start]])
                    end++;
                double rank = (start + 1 + end) / 2.0;
                for (int k = start; k < end; k++)
                {
                    if (labels[order[k]])
                        positiveRankSum += rank;
                }
                start = end;
            }
            long positives = labels.Count(l => l), negatives = labels.Length - positives;
            return (positiveRankSum - positives * (positives + 1) / 2.0) / (positives * (double)negatives);
        }

        /// <summary>Every column with its type, visibility and annotations (name, type, value), in order.</summary>
        private static string[] Describe(DataViewSchema schema) => schema.Select(column =>
            $"{column.Name} {column.Type} hidden={column.IsHidden}: " + string.Join(", ", column.Annotations.Schema.Select(a => $"{a.Name} {a.Type} = {AnnotationValue(column.Annotations, a)}"))).ToArray();

        private static string AnnotationValue(DataViewSchema.Annotations annotations, DataViewSchema.Column annotation)
        {
            switch (annotation.Type)
            {
                case TextDataViewType:
                    ReadOnlyMemory<char> text = default;
                    annotations.GetValue(annotation.Name, ref text);
                    return text.ToString();
                case BooleanDataViewType:
                    bool flag = false;
                    annotations.GetValue(annotation.Name, ref flag);
                    return flag.ToString();
                case KeyDataViewType:
                    uint key = 0;
                    annotations.GetValue(annotation.Name, ref key);
                    return key.ToString();
                default:
                    throw new InvalidOperationException($"Unexpected annotation type {annotation.Type}.");
            }
        }

        /// <summary>Every column with its shape and the shapes of its annotations, by name.</summary>
        private static string Describe(SchemaShape shape) => string.Join("\n", shape.OrderBy(c => c.Name).Select(c =>
            $"{c.Name} {c.Kind} {c.ItemType} key={c.IsKey}: " + string.Join(", ", c.Annotations.OrderBy(a => a.Name).Select(a => $"{a.Name} {a.Kind} {a.ItemType} key={a.IsKey}"))));

        private static void AssertBitIdentical(float[] expected, float[] actual, string where)
        {
            Assert.Equal(expected.Length, actual.Length);
            for (int k = 0; k < expected.Length; k++)
                Assert.True(BitConverter.SingleToInt32Bits(expected[k]) == BitConverter.SingleToInt32Bits(actual[k]), $"{where}, value {k}: {expected[k]:R} != {actual[k]:R}");
        }

        internal sealed class FloatLabelRow
        {
            [VectorType(ToyBinary.FeatureCount)]
            public float[] Features { get; set; }

            public float Label { get; set; }
        }

        internal sealed class TextLabelRow
        {
            [VectorType(ToyBinary.FeatureCount)]
            public float[] Features { get; set; }

            public string Label { get; set; }
        }
    }
}
