#!/usr/bin/env bash
# Packs every library to a local folder feed and checks that sibling packages depend on each other at exactly the same
# version. Then, outside the repository, builds fresh console apps from the packages alone: one trains and saves a
# classifier and a regressor (MLNet.BatchNorm.Estimators: TorchSharp, native fix from the package's buildTransitive
# target) and compares trainers (MLNet.BatchNorm.Comparison); one loads the models in a second process, predicts and
# exports to ONNX through ML.NET (MLNet.BatchNorm.Transforms and Microsoft.ML.OnnxConverter only: it must not carry
# TorchSharp's native libraries); one trains BnMlp beside Microsoft.ML.TorchSharp, whose catalog must still load.
# Prints "consumer test: passed" or fails.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/bnmlp-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT
# A fresh version per run: NuGet caches packages by id and version, so a reused version could hide a change.
version="0.1.0-consumer.$(date +%s)"
feed="$work/feed"

for project in "$repo"/src/*/MLNet.BatchNorm.*.csproj; do
  dotnet pack "$project" -c Release -o "$feed" -p:Version="$version" --nologo -v quiet
done
# Listings are read whole before grep -q looks at them: grep -q stops at the first match, and under pipefail the
# writer's broken pipe would fail the pipeline at random.
estimators_files=$(unzip -l "$feed/MLNet.BatchNorm.Estimators.$version.nupkg")
grep -q "buildTransitive/MLNet.BatchNorm.Estimators.targets" <<<"$estimators_files" \
  || { echo "consumer test: the Estimators package lacks its buildTransitive target"; exit 1; }
# NuGet writes a project reference as ">= version"; build/ExactSiblingVersions.targets makes it "[version]".
for nupkg in "$feed"/*.nupkg; do
  siblings=$(unzip -p "$nupkg" '*.nuspec' | grep -o '<dependency id="MLNet\.BatchNorm\.[A-Za-z]*" version="[^"]*"' || true)
  others=$(grep -vF "version=\"[$version]\"" <<<"$siblings" || true)
  if [ -n "$others" ]; then
    echo "consumer test: $(basename "$nupkg") depends on sibling packages at other versions than exactly [$version]:"
    echo "$siblings"
    exit 1
  fi
done
estimators_nuspec=$(unzip -p "$feed/MLNet.BatchNorm.Estimators.$version.nupkg" '*.nuspec')
grep -qF "<dependency id=\"MLNet.BatchNorm.Transforms\" version=\"[$version]\"" <<<"$estimators_nuspec" \
  || { echo "consumer test: the Estimators package does not depend on exactly MLNet.BatchNorm.Transforms $version"; exit 1; }

cat > "$work/nuget.config" <<CONFIG
<?xml version="1.0" encoding="utf-8"?>
<configuration>
  <packageSources>
    <add key="local" value="$feed" />
  </packageSources>
</configuration>
CONFIG

new_app() {
  dotnet new console -o "$work/$1" --framework net10.0 --no-restore >/dev/null
  # The folder is outside the repository: none of its Directory.Build.* or global.json apply.
  # A package is "Id" (one of ours, at this run's version) or "Id@version".
  for package in "${@:2}"; do
    local wanted=$version
    [[ $package == *@* ]] && wanted=${package#*@}
    dotnet add "$work/$1" package "${package%@*}" --version "$wanted" >/dev/null
  done
}

new_app train MLNet.BatchNorm.Estimators MLNet.BatchNorm.Comparison
cat > "$work/train/Program.cs" <<'CS'
using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.BatchNorm;
using MLNet.BatchNorm.Comparison;

var ml = new MLContext(seed: 1);
var random = new Random(1);
var rows = Enumerable.Range(0, 600).Select(i => new Row
{
    Label = (uint)(i % 3),
    Features = Enumerable.Range(0, 4).Select(j => (float)(j == i % 3 ? 3 : 0) + (float)random.NextDouble()).ToArray(),
}).ToArray();
var data = ml.Data.LoadFromEnumerable(rows);
var model = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.MulticlassClassification.Trainers.BnMlp(new BnMlpTrainer.Options { HiddenLayerSizes = [16], NumberOfEpochs = 20, LearningRate = 0.01f }))
    .Fit(data);
var accuracy = ml.MulticlassClassification.Evaluate(model.Transform(data)).MicroAccuracy;
ml.Model.SaveAtomically(model, data.Schema, args[0]);
// A regressor of y = 2 x0 - x1 on the same features.
var points = ml.Data.LoadFromEnumerable(rows.Select(r => new Point { Features = r.Features, Label = 2 * r.Features[0] - r.Features[1] }));
var regressor = ml.Regression.Trainers.BnMlp(new BnMlpRegressionTrainer.Options { HiddenLayerSizes = [16], NumberOfEpochs = 40, LearningRate = 0.01f, BatchNormOnInput = true })
    .Fit(points);
var r2 = ml.Regression.Evaluate(regressor.Transform(points)).RSquared;
ml.Model.SaveAtomically(regressor, points.Schema, args[1]);
Console.WriteLine($"trained: accuracy {accuracy:F3}, regression R² {r2:F3}");
// The Comparison package: one leaderboard row per contender, trained and evaluated on the same split.
var split = ml.Data.TrainTestSplit(data, testFraction: 0.3, seed: 1);
var board = new ModelComparison<Row>().Run(
    [DefaultContenders.BnMlp("small", new BnMlpTrainer.Options { HiddenLayerSizes = [16], NumberOfEpochs = 20, LearningRate = 0.01f }),
     new Contender("NaiveBayes", "default", context => context.MulticlassClassification.Trainers.NaiveBayes())],
    split.TrainSet, split.TestSet);
Console.Write(board.ToMarkdown());
bool compared = board.Rows.Count == 2 && board.Rows.Single(r => r.Trainer == "BnMlp").MicroAccuracy > 0.9;
return accuracy > 0.9 && r2 > 0.9 && compared ? 0 : 1;

public sealed class Row
{
    public uint Label { get; set; }
    [VectorType(4)] public float[] Features { get; set; }
}

public sealed class Point
{
    public float Label { get; set; }
    [VectorType(4)] public float[] Features { get; set; }
}
CS

new_app predict MLNet.BatchNorm.Transforms Microsoft.ML.OnnxConverter@0.23.1
cat > "$work/predict/Program.cs" <<'CS'
using System;
using System.IO;
using System.Text;
using Microsoft.ML;
using Microsoft.ML.Data;

var ml = new MLContext();
var model = ml.Model.Load(args[0], out _);
var engine = ml.Model.CreatePredictionEngine<Row, Prediction>(model);
var prediction = engine.Predict(new Row { Features = [0.5f, 3.5f, 0.5f, 0.5f] });
Console.WriteLine($"predicted key {prediction.PredictedLabel}, scores {string.Join(" ", prediction.Score)}");
var regressor = ml.Model.Load(args[1], out _);
var value = ml.Model.CreatePredictionEngine<Row, Value>(regressor).Predict(new Row { Features = [3.5f, 0.5f, 0.5f, 0.5f] }).Score;
Console.WriteLine($"regressed {value} (2 x0 - x1 = 6.5)");
// The cold-start path reads the same zip without ML.NET and must give the same scores.
var direct = MLNet.BatchNorm.BnMlpPredictor.Load(args[0]);
var directScores = new float[direct.OutputCount];
direct.Predict([0.5f, 3.5f, 0.5f, 0.5f], directScores);
bool sameScores = directScores.AsSpan().SequenceEqual(prediction.Score);
Console.WriteLine($"BnMlpPredictor.Load: scores {string.Join(" ", directScores)}, same as the PredictionEngine's: {sameScores}");
// ML.NET's ONNX export reaches the BN-MLP through the Transforms package alone: its dense layers and the
// PredictedLabel output are in the graph (node and value names are plain UTF-8 in the protobuf).
var onnx = new MemoryStream();
var input = ml.Data.LoadFromEnumerable([new Row { Features = [0.5f, 3.5f, 0.5f, 0.5f] }]);
ml.Model.ConvertToOnnx(model, input, onnx);
string graph = Encoding.UTF8.GetString(onnx.ToArray());
bool exported = graph.Contains("BnMlpDense0") && graph.Contains("PredictedLabel.output");
Console.WriteLine($"ConvertToOnnx: {onnx.Length} bytes, BN-MLP nodes exported: {exported}");
// keys count from 1: class 1 is key 2
return prediction.PredictedLabel == 2 && Math.Abs(value - 6.5f) < 1 && sameScores && exported ? 0 : 1;

public sealed class Row
{
    public uint Label { get; set; }
    [VectorType(4)] public float[] Features { get; set; }
}

public sealed class Prediction
{
    public uint PredictedLabel { get; set; }
    public float[] Score { get; set; }
}

public sealed class Value
{
    public float Score { get; set; }
}
CS

new_app torch MLNet.BatchNorm.Estimators Microsoft.ML.TorchSharp@0.23.1
cat > "$work/torch/Program.cs" <<'CS'
using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.TorchSharp;
using MLNet.BatchNorm;

var ml = new MLContext(seed: 1);
var random = new Random(1);
var rows = Enumerable.Range(0, 300).Select(i => new Row
{
    Label = (uint)(i % 3),
    Features = Enumerable.Range(0, 4).Select(j => (float)(j == i % 3 ? 3 : 0) + (float)random.NextDouble()).ToArray(),
}).ToArray();
var data = ml.Data.LoadFromEnumerable(rows);
var model = ml.Transforms.Conversion.MapValueToKey("Label")
    .Append(ml.MulticlassClassification.Trainers.BnMlp(new BnMlpTrainer.Options { HiddenLayerSizes = [8], NumberOfEpochs = 20, LearningRate = 0.01f }))
    .Fit(data);
var accuracy = ml.MulticlassClassification.Evaluate(model.Transform(data)).MicroAccuracy;
var predicted = ml.Model.CreatePredictionEngine<Row, Prediction>(model).Predict(new Row { Features = [0.5f, 0.5f, 3.5f, 0.5f] }).PredictedLabel;
Console.WriteLine($"BnMlp beside Microsoft.ML.TorchSharp: accuracy {accuracy:F3}, predicted key {predicted}");

// Microsoft.ML.TorchSharp's catalog: its estimator is created and checks its input, which Fit does before it would
// download weights: here the sentence column passes and the label, text rather than a key, is refused by name.
var sentences = ml.Data.LoadFromEnumerable([new Sentence { Sentence1 = "a fine film", Label = "positive" }]);
var textClassifier = ml.MulticlassClassification.Trainers.TextClassification(sentence1ColumnName: nameof(Sentence.Sentence1));
string refusal = "";
try { textClassifier.Fit(sentences); } catch (ArgumentOutOfRangeException e) { refusal = e.Message; }
bool catalogLoads = refusal.Contains("label column 'Label'") && refusal.Contains("UInt32");
Console.WriteLine($"{textClassifier.GetType().Name} checks its input: {refusal}");
// keys count from 1: class 2 is key 3
return accuracy > 0.9 && predicted == 3 && catalogLoads ? 0 : 1;

public sealed class Row
{
    public uint Label { get; set; }
    [VectorType(4)] public float[] Features { get; set; }
}

public sealed class Prediction
{
    public uint PredictedLabel { get; set; }
}

public sealed class Sentence
{
    public string Sentence1 { get; set; }
    public string Label { get; set; }
}
CS

dotnet run --project "$work/train" -c Release -- "$work/model.zip" "$work/regressor.zip"
dotnet run --project "$work/predict" -c Release -- "$work/model.zip" "$work/regressor.zip"
dotnet run --project "$work/torch" -c Release
native=$(find "$work/predict/bin" -name 'libtorch*' -o -name 'libLibTorchSharp*')
if [ -n "$native" ]; then
  echo "consumer test: the inference-only app carries TorchSharp's native libraries"
  exit 1
fi
echo "consumer test: passed"
