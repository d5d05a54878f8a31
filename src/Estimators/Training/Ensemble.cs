using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Networks of one architecture trained each on its own loss (<see cref="BnMlpOptionsBase.EnsembleSize"/>), merged into one
    /// network that outputs the mean of their outputs: each hidden layer holds the members' units one after the other,
    /// reading the features (the first) or only its own member's units (the rest: block-diagonal, zeros elsewhere), and
    /// the output layer adds the members' output weights divided by their number. Batch normalization is per unit, so
    /// the members' statistics carry over unchanged, and the merged network outputs the mean up to float rounding.
    /// </summary>
    internal static class Ensemble
    {
        /// <summary>The network outputting the mean of <paramref name="members"/>' outputs (the one member itself when
        /// alone). The members share their architecture and input scaling and have no input batch normalization.</summary>
        public static BnMlpModelParameters Merge(IReadOnlyList<BnMlpModelParameters> members)
        {
            if (members.Count == 1)
                return members[0];
            int count = members.Count;
            var layers = new List<BnMlpLayer>();
            int hiddenCount = members[0].Layers.Count - 1;
            for (int i = 0; i < hiddenCount; i++)
            {
                var parts = members.Select(m => m.Layers[i]).ToArray();
                var first = parts[0];
                var weights = Place(parts, unitsApart: true, inputsApart: i > 0, scale: 1);
                var bias = first.Bias is null ? null : parts.SelectMany(l => l.Bias).ToArray();
                var batchNorm = first.BatchNorm is not { } norm ? null : new BatchNormParameters(
                    parts.SelectMany(l => l.BatchNorm.Gamma).ToArray(), parts.SelectMany(l => l.BatchNorm.Beta).ToArray(),
                    parts.SelectMany(l => l.BatchNorm.Mean).ToArray(), parts.SelectMany(l => l.BatchNorm.Variance).ToArray(), norm.Epsilon);
                layers.Add(new BnMlpLayer(i > 0 ? first.InputCount * count : first.InputCount, first.OutputCount * count, weights, bias, batchNorm, first.Activation));
            }
            var outputs = members.Select(m => m.Layers[^1]).ToArray();
            // Each member's output weights read its own last hidden units; without hidden layers they read the same features.
            var outputWeights = Place(outputs, unitsApart: false, inputsApart: hiddenCount > 0, scale: 1.0 / count);
            var outputBias = Enumerable.Range(0, outputs[0].OutputCount).Select(unit => (float)outputs.Average(o => (double)o.Bias[unit])).ToArray();
            layers.Add(new BnMlpLayer(hiddenCount > 0 ? outputs[0].InputCount * count : outputs[0].InputCount, outputs[0].OutputCount,
                outputWeights, outputBias, batchNorm: null, activation: null));
            return new BnMlpModelParameters(layers, inputBatchNorm: null, members[0].InputScaling, members[0].InputEncoding);
        }

        /// <summary>The weight matrix holding every part's weights times <paramref name="scale"/>: part k's units (rows)
        /// after those of the parts before it when <paramref name="unitsApart"/>, else on the same rows; its inputs
        /// (columns) likewise; weights that land on the same place are added, in double.</summary>
        private static float[] Place(BnMlpLayer[] parts, bool unitsApart, bool inputsApart, double scale)
        {
            int units = parts[0].OutputCount, inputs = parts[0].InputCount;
            int columns = inputsApart ? inputs * parts.Length : inputs;
            var sums = new double[(long)(unitsApart ? units * parts.Length : units) * columns];
            for (int k = 0; k < parts.Length; k++)
            {
                var weights = parts[k].Weights;
                long firstRow = unitsApart ? (long)k * units : 0;
                int firstColumn = inputsApart ? k * inputs : 0;
                for (int unit = 0; unit < units; unit++)
                {
                    for (int input = 0; input < inputs; input++)
                        sums[(firstRow + unit) * columns + firstColumn + input] += weights[unit * inputs + input] * scale;
                }
            }
            return Array.ConvertAll(sums, sum => (float)sum);
        }
    }
}
