using System;
using System.Linq;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>The same trained weights and population statistics in a TorchSharp network in eval mode (the alternative
    /// a user of TorchSharp would deploy).</summary>
    internal sealed class TorchSharpEvalNetwork : IDisposable
    {
        private readonly Sequential _network;

        public TorchSharpEvalNetwork(BnMlpModelParameters model)
        {
            var modules = new System.Collections.Generic.List<(string, nn.Module<Tensor, Tensor>)>();
            int n = 0;
            using (no_grad())
            {
                foreach (var layer in model.Layers)
                {
                    var linear = nn.Linear(layer.InputCount, layer.OutputCount, hasBias: layer.Bias != null);
                    linear.weight.copy_(tensor(layer.Weights.ToArray(), [layer.OutputCount, layer.InputCount]));
                    if (layer.Bias != null)
                        linear.bias.copy_(tensor(layer.Bias.ToArray()));
                    modules.Add(($"linear{n}", linear));
                    if (layer.BatchNorm is { } bn)
                    {
                        var norm = nn.BatchNorm1d(layer.OutputCount, eps: bn.Epsilon);
                        norm.weight.copy_(tensor(bn.Gamma.ToArray()));
                        norm.bias.copy_(tensor(bn.Beta.ToArray()));
                        norm.running_mean.copy_(tensor(bn.Mean.ToArray()));
                        norm.running_var.copy_(tensor(bn.Variance.ToArray()));
                        modules.Add(($"norm{n}", norm));
                    }
                    if (layer.Activation is BnMlpActivation activation)
                    {
                        nn.Module<Tensor, Tensor> f = activation switch
                        {
                            BnMlpActivation.ReLU => nn.ReLU(),
                            BnMlpActivation.Sigmoid => nn.Sigmoid(),
                            _ => nn.Tanh(),
                        };
                        modules.Add(($"activation{n}", f));
                    }
                    n++;
                }
            }
            _network = nn.Sequential(modules);
            _network.eval();
        }

        /// <summary>Probabilities for one row, copied back to managed memory.</summary>
        public void Predict(float[] features, float[] probabilities)
        {
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            var output = _network.forward(tensor(features, [1, features.Length])).softmax(1);
            output.data<float>().CopyTo(probabilities);
        }

        /// <summary>Probabilities for a whole batch already in native memory.</summary>
        public void PredictBatch(Tensor batch)
        {
            using var scope = NewDisposeScope();
            using var mode = inference_mode();
            _network.forward(batch).softmax(1).data<float>().ToArray();
        }

        public void Dispose() => _network.Dispose();
    }
}
