using System;
using System.IO;
using System.Linq;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.BatchNorm.TestSupport;
using static TorchSharp.torch;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>
    /// Inference of the 3 x 100 BN network trained on mnist10k (or, with --fashion, on Fashion-MNIST's denser images), one
    /// thread, every alternative measured in this run: BnMlp (PredictionEngine and Transform), the unfolded managed
    /// baseline, TorchSharp eval of the same weights, ML.NET's LbfgsMaximumEntropy on the same data and PyTorch + OpenBLAS;
    /// then load-to-first-prediction, the next 1,000 (cold) predictions and warm ones in fresh processes.
    /// </summary>
    internal static class InferenceBench
    {
        public static int Run(bool quick, bool fashion)
        {
            int rounds = quick ? 11 : 31, callsPerRound = quick ? 2_000 : 10_000;
            set_num_threads(1);
            using var setup = new InferenceSetup(epochs: quick ? 3 : 15, fashion);
            var (ml, loaded, lbfgs, parameters, rows, rowsView) = (setup.Ml, setup.Loaded, setup.Lbfgs, setup.Parameters, setup.Rows, setup.RowsView);
            string data = fashion ? "the first 10,000 rows of Fashion-MNIST" : "mnist10k";
            Console.WriteLine($"Network {parameters.InputCount}-{string.Join("-", parameters.HiddenLayerSizes)}-{parameters.OutputCount} with BN, " +
                $"trained {setup.Epochs} epochs on {data}; 1 thread; {(quick ? "quick" : "full")} mode; load {LoadAverage()}.");

            var table = new ResultTable();
            var bnEngine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(loaded);
            var bnPrediction = new DigitPrediction();
            var bnRow = table.Latency("BnMlp PredictionEngine (folded, managed)", rounds, callsPerRound, i => bnEngine.Predict(rows[i % InferenceSetup.BatchRows], ref bnPrediction));
            var probabilities = new float[parameters.OutputCount];
            var workspace = new FoldedNetwork.Workspace(parameters.Network);
            table.Latency("BnMlp folded network alone (no PredictionEngine)", rounds, callsPerRound, i =>
            {
                parameters.Network.Predict(rows[i % InferenceSetup.BatchRows].Features, probabilities, workspace);
                FoldedNetwork.Softmax(probabilities);
            });
            var unfolded = new UnfoldedNetwork(parameters);
            var unfoldedRow = table.Latency("unfolded managed network (no PredictionEngine)", rounds, callsPerRound, i => unfolded.Predict(rows[i % InferenceSetup.BatchRows].Features, probabilities));
            using var torchNetwork = new TorchSharpEvalNetwork(parameters);
            var torchRow = table.Latency("TorchSharp eval, same weights (no PredictionEngine)", rounds, callsPerRound / 4, i => torchNetwork.Predict(rows[i % InferenceSetup.BatchRows].Features, probabilities));
            var lbfgsEngine = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(lbfgs);
            var lbfgsPrediction = new DigitPrediction();
            var lbfgsRow = table.Latency("LbfgsMaximumEntropy PredictionEngine", rounds, callsPerRound, i => lbfgsEngine.Predict(rows[i % InferenceSetup.BatchRows], ref lbfgsPrediction));

            var bnBatch = table.Throughput("BnMlp Transform, 10,000-row IDataView", rounds, () => InferenceSetup.ReadScores(loaded.Transform(rowsView)));
            var batchWorkspace = new FoldedNetwork.BatchWorkspace(parameters.Network, BlockScorer.BlockRows);
            var batchOutputs = new float[BlockScorer.BlockRows * parameters.OutputCount];
            var foldedBatch = table.Throughput($"BnMlp folded network alone, blocks of {BlockScorer.BlockRows} rows (no IDataView)", rounds,
                () => InferenceSetup.PredictInBlocks(parameters.Network, rows, batchWorkspace, batchOutputs));
            using var batch = tensor(rows.SelectMany(r => r.Features).ToArray(), [InferenceSetup.BatchRows, parameters.InputCount]);
            var torchBatch = table.Throughput("TorchSharp eval, 10,000-row tensor", rounds, () => { torchNetwork.PredictBatch(batch); return InferenceSetup.BatchRows; });
            var lbfgsBatch = table.Throughput("LbfgsMaximumEntropy Transform, 10,000-row IDataView", rounds, () => InferenceSetup.ReadScores(lbfgs.Transform(rowsView)));

            // PyTorch + OpenBLAS in this run, on the same data set (its own seeded weights: a dense GEMM's time does not
            // depend on them); mnist10k is not in IDX files, so its PyTorch side scores random rows of the same shape.
            var pyTorch = PyTorchReference.Run("infer", "--threads", "1", "--data", fashion ? Digits.FashionDirectory : "synthetic");
            double? pyTorchRow = pyTorch?.GetProperty("latency_us_p50").GetDouble();
            double? pyTorchBatch = pyTorch?.GetProperty("batch_rows_per_s").GetDouble();

            const int coldStarts = 7;
            var engineStart = FirstPrediction.InFreshProcesses(setup.Zip, direct: false, fashion, coldStarts);
            var directStart = FirstPrediction.InFreshProcesses(setup.Zip, direct: true, fashion, coldStarts);
            var lbfgsStart = FirstPrediction.InFreshProcesses(setup.LbfgsZip, direct: false, fashion, coldStarts);
            table.Print();
            Console.WriteLine(pyTorch is null ? "PyTorch + OpenBLAS: not available (../shared/bench/pytorch)." :
                $"PyTorch + OpenBLAS eval, same run: {pyTorchRow:F2} µs per single row (median), {pyTorchBatch:N0} rows/s on the 10,000-row test set in one call.");
            Console.WriteLine($"Load zip -> first prediction in a fresh process (median of {coldStarts}): {engineStart.FirstMilliseconds:F1} ms through Model.Load and a PredictionEngine, " +
                $"{directStart.FirstMilliseconds:F1} ms through BnMlpPredictor.Load; TorchSharp native library loaded: {(engineStart.NativeLibraryLoaded || directStart.NativeLibraryLoaded ? "yes" : "no")}. " +
                $"The same pipeline with LbfgsMaximumEntropy in place of BnMlp, through Model.Load and a PredictionEngine: {lbfgsStart.FirstMilliseconds:F1} ms.");
            Console.WriteLine($"Cold and warm in the same fresh processes (median of {coldStarts}): the {FirstPrediction.ColdCalls:N0} predictions after the first one, " +
                "then 200-call rounds after 2 s of predictions (median round):");
            Console.WriteLine($"  BnMlp PredictionEngine: {engineStart.Describe()}");
            Console.WriteLine($"  BnMlpPredictor:         {directStart.Describe()}");
            Console.WriteLine($"  LbfgsMaximumEntropy PredictionEngine: {lbfgsStart.Describe()}");
            Console.WriteLine();
            Console.WriteLine("Ratios (BnMlp PredictionEngine time / alternative's time; batch: BnMlp rows/s / alternative's rows/s):");
            Console.WriteLine($"  single row: vs unfolded {bnRow / unfoldedRow:F2}x, vs TorchSharp eval {bnRow / torchRow:F2}x, vs LbfgsMaximumEntropy {bnRow / lbfgsRow:F2}x" +
                (pyTorchRow is double pr ? $", vs PyTorch eval {bnRow / pr:F2}x" : ""));
            Console.WriteLine($"  batch:      vs TorchSharp eval {bnBatch / torchBatch:F2}x, vs LbfgsMaximumEntropy {bnBatch / lbfgsBatch:F2}x" +
                (pyTorchBatch is double pb ? $", vs PyTorch+OpenBLAS (same run) {bnBatch / pb:F2}x" : ""));
            Console.WriteLine($"  batch, folded network alone: vs TorchSharp eval {foldedBatch / torchBatch:F2}x, vs LbfgsMaximumEntropy Transform {foldedBatch / lbfgsBatch:F2}x" +
                (pyTorchBatch is double pf ? $", vs PyTorch+OpenBLAS (same run) {foldedBatch / pf:F2}x" : ""));
            return 0;
        }

        internal static string LoadAverage() => File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
    }
}
