using System;
using System.IO;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;
using MLNet.BatchNorm.TestSupport;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>
    /// What both inference benchmarks measure: the 3 x 100 BN network and LbfgsMaximumEntropy trained on mnist10k (or on
    /// the first 10,000 rows of Fashion-MNIST, whose images have far fewer zero pixels), the BN pipeline saved and loaded
    /// back (so the loaded model is what is timed), and 10,000 test rows.
    /// </summary>
    internal sealed class InferenceSetup : IDisposable
    {
        public const int BatchRows = 10_000;

        public InferenceSetup(int epochs, bool fashion)
        {
            var (trainRows, testRows) = fashion ? Digits.LoadFashion() : Digits.LoadMnist10k();
            if (fashion)
                trainRows = trainRows[..10_000];
            Ml = new MLContext(seed: 1);
            var train = Ml.Data.LoadFromEnumerable(trainRows);
            var keyLabel = Ml.Transforms.Conversion.MapValueToKey("Label", keyOrdinality: ValueToKeyMappingEstimator.KeyOrdinality.ByValue);
            var options = new BnMlpTrainer.Options { HiddenLayerSizes = [100, 100, 100], NumberOfEpochs = epochs, NumberOfThreads = 1 };
            var bnMlp = keyLabel.Append(Ml.MulticlassClassification.Trainers.BnMlp(options)).Fit(train);
            Lbfgs = keyLabel.Append(Ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy()).Fit(train);
            Zip = Path.Combine(Path.GetTempPath(), $"bnmlp-bench-{Environment.ProcessId}.zip");
            Ml.Model.Save(bnMlp, train.Schema, Zip);
            LbfgsZip = Path.Combine(Path.GetTempPath(), $"bnmlp-bench-lbfgs-{Environment.ProcessId}.zip");
            Ml.Model.Save(Lbfgs, train.Schema, LbfgsZip);
            Loaded = Ml.Model.Load(Zip, out _);
            Parameters = bnMlp.LastTransformer.Model;
            Rows = Enumerable.Range(0, BatchRows).Select(i => testRows[i % testRows.Length]).ToArray();
            RowsView = Ml.Data.LoadFromEnumerable(Rows);
            Epochs = epochs;
            Fashion = fashion;
        }

        /// <summary>The test rows of mnist10k or of Fashion-MNIST.</summary>
        public static Digit[] TestRows(bool fashion) => fashion ? Digits.LoadFashion().Test : Digits.LoadMnist10k().Test;

        public MLContext Ml { get; }

        /// <summary>The BN pipeline as loaded from <see cref="Zip"/>.</summary>
        public ITransformer Loaded { get; }

        public ITransformer Lbfgs { get; }

        public BnMlpModelParameters Parameters { get; }

        public Digit[] Rows { get; }

        public IDataView RowsView { get; }

        /// <summary>The saved BN pipeline, deleted on dispose.</summary>
        public string Zip { get; }

        /// <summary>The saved LbfgsMaximumEntropy pipeline, deleted on dispose.</summary>
        public string LbfgsZip { get; }

        public int Epochs { get; }

        /// <summary>True for Fashion-MNIST, false for mnist10k.</summary>
        public bool Fashion { get; }

        /// <summary>What <c>Transform</c>'s block scorer does without the IDataView: set a block's rows, score it,
        /// apply softmax to each row.</summary>
        public static int PredictInBlocks(FoldedNetwork network, Digit[] rows, FoldedNetwork.BatchWorkspace workspace, float[] outputs)
        {
            int outputCount = network.OutputCount;
            for (int first = 0; first < rows.Length; first += workspace.MaxRows)
            {
                int count = Math.Min(workspace.MaxRows, rows.Length - first);
                for (int r = 0; r < count; r++)
                    workspace.SetRow(r, rows[first + r].Features);
                network.PredictBatch(count, outputs, workspace);
                for (int r = 0; r < count; r++)
                    FoldedNetwork.Softmax(outputs.AsSpan(r * outputCount, outputCount));
            }
            return rows.Length;
        }

        /// <summary>Reads every row's Score of <paramref name="scored"/>; returns the row count.</summary>
        public static int ReadScores(IDataView scored)
        {
            var column = scored.Schema["Score"];
            using var cursor = scored.GetRowCursor([column]);
            var getter = cursor.GetGetter<VBuffer<float>>(column);
            VBuffer<float> score = default;
            int count = 0;
            while (cursor.MoveNext())
            {
                getter(ref score);
                count++;
            }
            return count;
        }

        public void Dispose()
        {
            File.Delete(Zip);
            File.Delete(LbfgsZip);
        }
    }
}
