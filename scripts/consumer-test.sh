#!/usr/bin/env bash
# Packs the libraries to a local folder feed, then, outside the repository, builds two fresh console apps from the
# packages alone: one trains and saves a classifier and a regressor (MLNet.BatchNorm.Estimators: TorchSharp, native fix from the package's
# buildTransitive target), the other loads them in a second process and predicts (MLNet.BatchNorm.Transforms only: it
# must not carry TorchSharp's native libraries). Prints "consumer test: passed" or fails.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/bnmlp-consumer.XXXXXX)
trap 'rm -rf "$work"' EXIT
# A fresh version per run: NuGet caches packages by id and version, so a reused version could hide a change.
version="0.1.0-consumer.$(date +%s)"
feed="$work/feed"

dotnet pack "$repo/src/Estimators/MLNet.BatchNorm.Estimators.csproj" -c Release -o "$feed" -p:Version="$version" --nologo -v quiet
dotnet pack "$repo/src/Transforms/MLNet.BatchNorm.Transforms.csproj" -c Release -o "$feed" -p:Version="$version" --nologo -v quiet
unzip -l "$feed/MLNet.BatchNorm.Estimators.$version.nupkg" | grep -q "buildTransitive/MLNet.BatchNorm.Estimators.targets" \
  || { echo "consumer test: the Estimators package lacks its buildTransitive target"; exit 1; }

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
  for package in "${@:2}"; do
    dotnet add "$work/$1" package "$package" --version "$version" >/dev/null
  done
}

new_app train MLNet.BatchNorm.Estimators
cat > "$work/train/Program.cs" <<'CS'
using System;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using MLNet.BatchNorm;

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
return accuracy > 0.9 && r2 > 0.9 ? 0 : 1;

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

new_app predict MLNet.BatchNorm.Transforms
cat > "$work/predict/Program.cs" <<'CS'
using System;
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
// keys count from 1: class 1 is key 2
return prediction.PredictedLabel == 2 && Math.Abs(value - 6.5f) < 1 && sameScores ? 0 : 1;

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

dotnet run --project "$work/train" -c Release -- "$work/model.zip" "$work/regressor.zip"
dotnet run --project "$work/predict" -c Release -- "$work/model.zip" "$work/regressor.zip"
if find "$work/predict/bin" -name 'libtorch*' -o -name 'libLibTorchSharp*' | grep -q .; then
  echo "consumer test: the inference-only app carries TorchSharp's native libraries"
  exit 1
fi
echo "consumer test: passed"
