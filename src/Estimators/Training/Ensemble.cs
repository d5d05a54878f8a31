using System.Collections.Generic;
using System.Linq;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Networks of one architecture trained independently (<see cref="BnMlpOptionsBase.EnsembleSize"/>), merged into one
    /// network that outputs the mean of their outputs: each hidden layer holds the members' units side by side, reading
    /// the same input (the first) or only its own member's units (the rest, block-diagonal with zeros elsewhere), and the
    /// output layer sums the members' output weights divided by their count. Batch normalization is per unit, so the
    /// members' statistics carry over unchanged, and the merged network scores exactly as the mean up to float rounding.
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
            var first = members[0];
            var layers = new List<BnMlpLayer>();
            int hiddenCount = first.Layers.Count - 1;
            for (int i = 0; i < hiddenCount; i++)
            {
                var memberLayers = members.Select(m => m.Layers[i]).ToArray();
                int units = first.Layers[i].OutputCount;
                // The first hidden layer reads all features in every member; later ones read their own member's block.
                int memberInputs = first.Layers[i].InputCount;
                int inputs = i == 0 ? memberInputs : memberInputs * count;
                var weights = new float[(long)units * count * inputs];
                for (int k = 0; k < count; k++)
                {
                    var source = memberLayers[k].Weights;
                    int column = i == 0 ? 0 : k * memberInputs;
                    for (int unit = 0; unit < units; unit++)
                    {
                        long row = (long)(k * units + unit) * inputs;
                        for (int j = 0; j < memberInputs; j++)
                            weights[row + column + j] = source[unit * memberInputs + j];
                    }
                }
                var bias = first.Layers[i].Bias is null ? null : memberLayers.SelectMany(l => l.Bias).ToArray();
                var batchNorm = first.Layers[i].BatchNorm is not { } norm ? null : new BatchNormParameters(
                    memberLayers.SelectMany(l => l.BatchNorm.Gamma).ToArray(), memberLayers.SelectMany(l => l.BatchNorm.Beta).ToArray(),
                    memberLayers.SelectMany(l => l.BatchNorm.Mean).ToArray(), memberLayers.SelectMany(l => l.BatchNorm.Variance).ToArray(), norm.Epsilon);
                layers.Add(new BnMlpLayer(inputs, units * count, weights, bias, batchNorm, first.Layers[i].Activation));
            }
            layers.Add(MergeOutputs(members.Select(m => m.Layers[^1]).ToArray(), sideBySide: hiddenCount > 0));
            return new BnMlpModelParameters(layers, inputBatchNorm: null, first.InputScaling);
        }

        /// <summary>The output layer averaging the members' outputs: their weights side by side (each reading its own
        /// member's last hidden units), or, without hidden layers, averaged over the same inputs; the mean bias.</summary>
        private static BnMlpLayer MergeOutputs(BnMlpLayer[] outputs, bool sideBySide)
        {
            int count = outputs.Length, units = outputs[0].OutputCount, memberInputs = outputs[0].InputCount;
            int inputs = sideBySide ? memberInputs * count : memberInputs;
            var weights = new double[(long)units * inputs];
            for (int k = 0; k < count; k++)
            {
                int column = sideBySide ? k * memberInputs : 0;
                for (int unit = 0; unit < units; unit++)
                {
                    for (int j = 0; j < memberInputs; j++)
                        weights[(long)unit * inputs + column + j] += outputs[k].Weights[unit * memberInputs + j] / (double)count;
                }
            }
            var bias = Enumerable.Range(0, units).Select(unit => (float)outputs.Average(o => (double)o.Bias[unit])).ToArray();
            return new BnMlpLayer(inputs, units, weights.Select(w => (float)w).ToArray(), bias, batchNorm: null, activation: null);
        }
    }
}
