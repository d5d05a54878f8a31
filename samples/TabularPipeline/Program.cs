using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.BatchNorm;

namespace TabularPipeline
{
    /// <summary>
    /// Usage: TabularPipeline [CSV] [--out DIR]
    /// Loads PimaIndiansDiabetes2.csv (default: data/tabular/ of this repository), fills and flags missing values,
    /// trains the binary BnMlp, evaluates it on held-out rows, saves it, loads it back and predicts one row.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            int outIndex = Array.IndexOf(args, "--out");
            string outputDirectory = outIndex >= 0 && outIndex + 1 < args.Length ? args[outIndex + 1] : ".";
            string csv = args.Where((_, i) => i != outIndex && i != outIndex + 1).FirstOrDefault()
                ?? FindInRepository("data/tabular/PimaIndiansDiabetes2.csv");
            if (!File.Exists(csv))
            {
                Console.Error.WriteLine($"No file {csv}.");
                return 3;
            }

            var ml = new MLContext(seed: 1);
            var data = ml.Data.LoadFromTextFile<PimaRow>(csv, new TextLoader.Options
            {
                Separators = [','], HasHeader = true, MissingRealsAsNaNs = true, // an empty field is a missing value, not 0
            });
            var split = ml.Data.TrainTestSplit(data, testFraction: 0.2, seed: 1);

            // Numbers: each column that can be missing gets a 0/1 indicator, then missing values become the training mean;
            // everything is concatenated; BnMlp scales the features itself. (A text column would get
            // ml.Transforms.Categorical.OneHotEncoding and join the Concatenate the same way.) The label: true for "pos".
            string[] numeric = [nameof(PimaRow.Pregnant), nameof(PimaRow.Glucose), nameof(PimaRow.Pressure), nameof(PimaRow.Triceps),
                nameof(PimaRow.Insulin), nameof(PimaRow.Mass), nameof(PimaRow.Pedigree), nameof(PimaRow.Age)];
            string[] canBeMissing = [nameof(PimaRow.Glucose), nameof(PimaRow.Pressure), nameof(PimaRow.Triceps), nameof(PimaRow.Insulin), nameof(PimaRow.Mass)];
            var indicators = canBeMissing.Select(c => new InputOutputColumnPair(c + "Missing", c)).ToArray();
            var pipeline = ml.Transforms.Conversion.MapValue("Label",
                    new[] { KeyValuePair.Create("pos", true), KeyValuePair.Create("neg", false) }, nameof(PimaRow.Diabetes))
                .Append(ml.Transforms.IndicateMissingValues(indicators))
                .Append(ml.Transforms.Conversion.ConvertType(indicators.Select(p => new InputOutputColumnPair(p.OutputColumnName)).ToArray(), DataKind.Single))
                .Append(ml.Transforms.ReplaceMissingValues(numeric.Select(c => new InputOutputColumnPair(c)).ToArray()))
                .Append(ml.Transforms.Concatenate("Features", [.. numeric, .. indicators.Select(p => p.OutputColumnName)]))
                .Append(ml.BinaryClassification.Trainers.BnMlp(labelColumnName: "Label", featureColumnName: "Features"));

            var model = pipeline.Fit(split.TrainSet);
            var metrics = ml.BinaryClassification.Evaluate(model.Transform(split.TestSet));
            Console.WriteLine($"Held-out rows: AUC {metrics.AreaUnderRocCurve:F3}, F1 {metrics.F1Score:F3}, accuracy {metrics.Accuracy:P1}, log-loss {metrics.LogLoss:F3}");
            Console.WriteLine(metrics.ConfusionMatrix.GetFormattedConfusionTable());

            Directory.CreateDirectory(outputDirectory);
            string path = Path.Combine(outputDirectory, "pima-bnmlp.zip");
            ml.Model.Save(model, data.Schema, path);
            var loaded = ml.Model.Load(path, out _);
            Console.WriteLine($"Saved and loaded {path} ({new FileInfo(path).Length / 1024.0:F0} KiB).");

            var engine = ml.Model.CreatePredictionEngine<PimaRow, PimaPrediction>(loaded);
            var patient = new PimaRow { Pregnant = 2, Glucose = 150, Pressure = 70, Triceps = 30, Insulin = float.NaN, Mass = 35, Pedigree = 0.5f, Age = 45 };
            var prediction = engine.Predict(patient);
            Console.WriteLine($"Glucose 150, BMI 35, age 45, insulin unknown: {(prediction.PredictedLabel ? "pos" : "neg")} (probability {prediction.Probability:F3})");
            return 0;
        }

        /// <summary>The file at <paramref name="relativePath"/> under the nearest folder above the program that has it.</summary>
        private static string FindInRepository(string relativePath)
        {
            for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder != null; folder = folder.Parent)
            {
                string candidate = Path.Combine(folder.FullName, relativePath);
                if (File.Exists(candidate))
                    return candidate;
            }
            return relativePath;
        }
    }
}
