using System;
using System.Collections.Generic;
using System.Linq;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>A copy of every weight and batch-normalization statistic of a network, to go back to (early stopping).</summary>
    internal sealed class NetworkSnapshot : IDisposable
    {
        private readonly Dictionary<string, Tensor> _state;

        private NetworkSnapshot(Dictionary<string, Tensor> state) => _state = state;

        public static NetworkSnapshot Take(BnMlpNetwork network)
        {
            using var noGrad = no_grad();
            return new NetworkSnapshot(network.state_dict().ToDictionary(entry => entry.Key, entry => entry.Value.detach().clone().DetachFromDisposeScope()));
        }

        public void RestoreInto(BnMlpNetwork network)
        {
            using var noGrad = no_grad();
            foreach (var (name, value) in network.state_dict())
                value.copy_(_state[name]);
        }

        public void Dispose()
        {
            foreach (var tensor in _state.Values)
                tensor.Dispose();
        }
    }
}
