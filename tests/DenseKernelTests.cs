using System;
using System.Linq;
using Xunit;

namespace MLNet.BatchNorm.Tests
{
    /// <summary>The scorers' dense kernels on their own: the single-row kernel sums only the non-zero inputs of a row with
    /// fewer than 80 % non-zero and every input of a denser one (0.75 and 0.85 give rows on both sides); the batch kernel
    /// works in tiles of rows. All must give one row the same bits, and the sums a double-precision reference gives.</summary>
    public sealed class DenseKernelTests
    {
        // 37 inputs: two whole 16-input masks and a partial one; 100 units: a block of 64 and one of 36 in the batch path.
        private const int Inputs = 37;

        [Theory]
        [InlineData(0.0)]
        [InlineData(0.1)]
        [InlineData(0.45)]
        [InlineData(0.55)]
        [InlineData(0.75)]
        [InlineData(0.85)]
        [InlineData(1.0)]
        public void EveryRowGetsTheSameBitsAloneAndInABatchAndTheReferenceSums(double nonZeroFraction)
        {
            var random = new Random(7);
            var layers = new[] { Layer(Inputs, 100, random, BnMlpActivation.ReLU), Layer(100, 20, random, BnMlpActivation.ReLU), Layer(20, 3, random, null) };
            var network = new FoldedNetwork(layers);
            // 13 rows: two whole tiles of rows and a partial one.
            var rows = Enumerable.Range(0, 13).Select(_ => Row(random, nonZeroFraction)).ToArray();
            var batch = new FoldedNetwork.BatchWorkspace(network, rows.Length);
            for (int r = 0; r < rows.Length; r++)
                batch.SetRow(r, rows[r]);
            var batchOutputs = new float[rows.Length * 3];
            network.PredictBatch(rows.Length, batchOutputs, batch);

            var workspace = new FoldedNetwork.Workspace(network);
            var outputs = new float[3];
            for (int r = 0; r < rows.Length; r++)
            {
                network.Predict(rows[r], outputs, workspace);
                var reference = Reference(layers, rows[r]);
                for (int k = 0; k < 3; k++)
                {
                    float inBatch = batchOutputs[r * 3 + k];
                    Assert.True(BitConverter.SingleToInt32Bits(outputs[k]) == BitConverter.SingleToInt32Bits(inBatch), $"row {r}, output {k}: {outputs[k]:R} alone, {inBatch:R} in the batch");
                    Assert.Equal(reference[k], outputs[k], 1e-4);
                }
            }
        }

        private static BnMlpLayer Layer(int inputs, int outputs, Random random, BnMlpActivation? activation) =>
            new(inputs, outputs, Values(random, inputs * outputs, 0.3), Values(random, outputs, 0.1), batchNorm: null, activation);

        private static float[] Values(Random random, int count, double scale) =>
            Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2 - 1) * scale)).ToArray();

        private static float[] Row(Random random, double nonZeroFraction) =>
            Enumerable.Range(0, Inputs).Select(_ => random.NextDouble() < nonZeroFraction ? (float)(random.NextDouble() * 4 - 2) : 0f).ToArray();

        private static double[] Reference(BnMlpLayer[] layers, float[] row)
        {
            double[] x = row.Select(v => (double)v).ToArray();
            foreach (var layer in layers)
            {
                var y = new double[layer.OutputCount];
                for (int j = 0; j < y.Length; j++)
                {
                    double sum = layer.Bias[j];
                    for (int i = 0; i < x.Length; i++)
                        sum += layer.Weights[j * layer.InputCount + i] * x[i];
                    y[j] = layer.Activation == BnMlpActivation.ReLU ? Math.Max(sum, 0) : sum;
                }
                x = y;
            }
            return x;
        }
    }
}
