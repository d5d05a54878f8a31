using System.Collections.Generic;
using System.Linq;
using Microsoft.ML.Runtime;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Continuing training from earlier model parameters (<c>Fit(trainData, modelParameters)</c>): the parameters must
    /// describe the network the options and the data ask for, or training would silently start from something else.
    /// </summary>
    internal static class WarmStart
    {
        /// <summary>Refuses <paramref name="model"/> when its inputs, outputs, hidden layer sizes, batch normalization
        /// (hidden and input) or activation differ from what <paramref name="options"/> and the data give, naming each
        /// difference.</summary>
        public static void CheckArchitecture(IExceptionContext ectx, BnMlpModelParameters model, BnMlpOptionsBase options, int featureCount, int outputCount)
        {
            var differences = new List<string>();
            if (options.EnsembleSize > 1)
                differences.Add($"EnsembleSize is {options.EnsembleSize}, and a warm start continues one network");
            if (model.InputCount != featureCount)
                differences.Add($"the model reads {model.InputCount} features, the training data has {featureCount}");
            if (model.OutputCount != outputCount)
                differences.Add($"the model has {model.OutputCount} outputs, the training data needs {outputCount} (classes, or 1 for regression)");
            var hidden = model.Layers.Take(model.Layers.Count - 1).ToArray();
            if (!hidden.Select(l => l.OutputCount).SequenceEqual(options.HiddenLayerSizes))
                differences.Add($"HiddenLayerSizes is [{string.Join(", ", options.HiddenLayerSizes)}], the model's hidden layers are [{string.Join(", ", hidden.Select(l => l.OutputCount))}]");
            for (int i = 0; i < hidden.Length; i++)
            {
                var layer = hidden[i];
                bool batchNorm = layer.BatchNorm != null;
                if (batchNorm != options.UseBatchNorm || (batchNorm && layer.Bias != null))
                    differences.Add($"UseBatchNorm is {options.UseBatchNorm}, the model's hidden layer {i} has {Describe(layer)}");
                else if (batchNorm && layer.BatchNorm.Epsilon != options.BatchNormEpsilon)
                    differences.Add($"BatchNormEpsilon is {options.BatchNormEpsilon}, the model's hidden layer {i} uses {layer.BatchNorm.Epsilon}");
                if (layer.Activation != options.Activation)
                    differences.Add($"Activation is {options.Activation}, the model's hidden layer {i} uses {layer.Activation}");
            }
            if ((model.InputBatchNorm != null) != options.BatchNormOnInput)
                differences.Add($"BatchNormOnInput is {options.BatchNormOnInput}, the model {(model.InputBatchNorm != null ? "normalizes" : "does not normalize")} its input");
            else if (model.InputBatchNorm != null && model.InputBatchNorm.Epsilon != options.BatchNormEpsilon)
                differences.Add($"BatchNormEpsilon is {options.BatchNormEpsilon}, the model's input batch normalization uses {model.InputBatchNorm.Epsilon}");
            if (differences.Count > 0)
                throw ectx.Except($"The model parameters to continue from do not fit the options and data: {string.Join("; ", differences)}.");
        }

        private static string Describe(BnMlpLayer layer) => (layer.BatchNorm != null, layer.Bias != null) switch
        {
            (true, true) => "batch normalization after a bias (BnMlp's batch-normalized layers have none)",
            (true, false) => "batch normalization",
            _ => "no batch normalization",
        };
    }
}
