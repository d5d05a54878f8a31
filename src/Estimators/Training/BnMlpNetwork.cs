using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The trainable network: optionally BatchNorm of the input, then [Linear (no bias with BN) → BatchNorm → activation →
    /// dropout] per hidden layer, then a Linear layer giving the outputs (class logits, or the regression value).
    /// Training mode uses batch statistics; population statistics are set afterwards.
    /// <para>
    /// An ensemble (<see cref="BnMlpOptionsBase.EnsembleSize"/>) trains as one network of its members side by side:
    /// every dense layer is a <see cref="MemberLinear"/>, so a member reads only its own rows (the first layer) or units
    /// (the others), from its own initial weights; batch normalization is per unit anyway. In training each member gets
    /// its own batch (<see cref="MemberOutputs"/>); elsewhere every member reads the same rows, as in the merged model.
    /// </para>
    /// </summary>
    internal sealed class BnMlpNetwork : nn.Module<Tensor, Tensor>
    {
        private readonly ModuleList<nn.Module<Tensor, Tensor>> _hidden = new();
        private readonly ModuleList<BatchNorm1d> _norms = new();
        private readonly BatchNorm1d _inputNorm;
        private readonly nn.Module<Tensor, Tensor> _output;
        private readonly int _outputCount;
        private readonly BnMlpActivation _activation;
        private readonly float _dropoutRate;
        private readonly float _epsilon;
        private readonly double _momentum;
        private readonly DropoutMasks _dropoutMasks;
        private readonly bool _bfloat16Products;

        // The alpha of a bias's add after a bfloat16 product, an explicit Scalar that lives as long as the network: see
        // FusedOptimizer on implicitly converted numbers.
        private readonly Scalar _one = 1.ToScalar();

        /// <summary>A network of <see cref="BnMlpOptionsBase.HiddenLayerSizes"/> reading <paramref name="inputCount"/>
        /// features into <paramref name="outputCount"/> outputs, or an ensemble of <paramref name="members"/> such networks
        /// (which cannot normalize the input), initialized from <paramref name="random"/>. With
        /// <see cref="BnMlpMatrixPrecision.BFloat16"/> on a processor that multiplies it natively, its dense layers'
        /// large products run in bfloat16 in training mode (<see cref="BFloat16Products"/>), the others in float32.</summary>
        public BnMlpNetwork(int inputCount, int outputCount, BnMlpOptionsBase options, Random random, int members = 1)
            : base(nameof(BnMlpNetwork))
        {
            if (members > 1 && options.BatchNormOnInput)
                throw new ArgumentException("An ensemble cannot normalize its input.", nameof(members));
            Members = members;
            _bfloat16Products = options.MatrixPrecision == BnMlpMatrixPrecision.BFloat16 && BFloat16Products.AreNative;
            _outputCount = outputCount;
            _activation = options.Activation;
            _dropoutRate = options.DropoutRate;
            _epsilon = options.BatchNormEpsilon;
            // Decay d means moving = d * moving + (1 - d) * batch; PyTorch's momentum is 1 - d.
            _momentum = 1 - options.MovingAverageDecay;
            if (options.BatchNormOnInput)
                _inputNorm = nn.BatchNorm1d(inputCount, eps: options.BatchNormEpsilon, momentum: _momentum);
            int inputs = inputCount;
            foreach (int units in options.HiddenLayerSizes)
            {
                _hidden.Add(CreateDense(inputs, units, hasBias: !options.UseBatchNorm, options, random));
                if (options.UseBatchNorm)
                    _norms.Add(nn.BatchNorm1d(members * units, eps: options.BatchNormEpsilon, momentum: _momentum));
                inputs = units;
            }
            _output = CreateDense(inputs, outputCount, hasBias: true, options, random);
            _dropoutMasks = new DropoutMasks((ulong)random.NextInt64(), _dropoutRate);
            RegisterComponents();
        }

        /// <summary>True when any layer, the input included, is batch-normalized: batches then need two rows or more,
        /// and population statistics must be estimated.</summary>
        public bool UsesBatchNorm => _inputNorm != null || _norms.Count > 0;

        /// <summary>The networks of the ensemble (1 for one network).</summary>
        public int Members { get; }

        /// <summary>The network's outputs [rows, outputs]: an ensemble's are the mean of its members'.</summary>
        public override Tensor forward(Tensor input)
        {
            var outputs = Outputs(input, sharedRows: true);
            return Members == 1 ? outputs : outputs.reshape(input.shape[0], Members, _outputCount).mean([1]);
        }

        /// <summary>Each member's outputs on its own rows: <paramref name="input"/> holds a batch of each member,
        /// interleaved [rows × members, features] (row 1 of every member, then row 2; <see cref="BatchPass.Members"/>),
        /// and the outputs [rows × members, outputs] follow that order (a network's own outputs when it is one).</summary>
        public Tensor MemberOutputs(Tensor input) =>
            Members == 1 ? Outputs(input, sharedRows: true) : Outputs(input, sharedRows: false).reshape(-1, _outputCount);

        /// <summary>[rows, members × outputs]: from rows every member reads, or from each member's rows interleaved.</summary>
        private Tensor Outputs(Tensor input, bool sharedRows)
        {
            var x = _inputNorm is null ? input : Normalize(input, _inputNorm);
            for (int i = 0; i < _hidden.Count; i++)
            {
                x = ApplyDense(i, x, sharedRows);
                if (_norms.Count > 0)
                    x = Normalize(x, _norms[i]);
                x = Activate(x);
                if (training && _dropoutRate > 0)
                    x = Dropout(x);
            }
            return ApplyDense(_hidden.Count, x, sharedRows);
        }

        /// <summary>Dense layer <paramref name="index"/> (the output layer after the hidden ones). An ensemble's first
        /// layer reads the rows every member shares, or each member's own rows (interleaved, so [rows × members,
        /// features] is [rows, members × features] with each member's features in its own block).</summary>
        private Tensor ApplyDense(int index, Tensor x, bool sharedRows)
        {
            var dense = index < _hidden.Count ? _hidden[index] : _output;
            if (index > 0 || dense is not MemberLinear first)
                return dense is Linear linear && MultipliesInBFloat16(linear, x) ? InBFloat16(linear, x) : dense.forward(x);
            return sharedRows ? first.ForSharedInput(x) : first.forward(x.reshape(-1, Members * first.InputCount));
        }

        /// <summary>Whether <paramref name="linear"/> multiplies <paramref name="x"/> in bfloat16; the shape (a native call)
        /// is read only when bfloat16 products are on.</summary>
        private bool MultipliesInBFloat16(Linear linear, Tensor x) =>
            training && _bfloat16Products && BFloat16Products.Pays(x.shape[0] * linear.in_features * linear.out_features);

        private Tensor InBFloat16(Linear linear, Tensor x)
        {
            var outputs = BFloat16Products.Multiply(x, linear.weight, (input, weight) => F.linear(input, weight));
            return linear.bias is null ? outputs : outputs.add(linear.bias, _one);
        }

        /// <summary>Zeroed running statistics shaped like the BN layers' (the input's first): a mean and a variance per
        /// layer, for <see cref="AccumulatePopulationStatistics"/>.</summary>
        public Tensor[] NewStatisticsAverages() =>
            BatchNorms().SelectMany(norm => new[] { zeros_like(norm.running_mean), zeros_like(norm.running_var) }).ToArray();

        /// <summary>
        /// One batch through the network as in training (batch statistics, no dropout, no gradient), each BN layer
        /// folding its batch mean and unbiased batch variance into <paramref name="averages"/> (from
        /// <see cref="NewStatisticsAverages"/>) as the plain average over batches 1 to <paramref name="batchNumber"/>:
        /// the normalization and the averaging are one op per layer, so the pass costs one forward pass.
        /// </summary>
        public void AccumulatePopulationStatistics(Tensor input, Tensor[] averages, int batchNumber)
        {
            // running = (1 - 1/k) running + (1/k) batch is the mean of the first k batches' statistics.
            double weight = 1.0 / batchNumber;
            int next = 0;
            Tensor Fold(Tensor x, BatchNorm1d norm)
            {
                var y = F.batch_norm(x, averages[next], averages[next + 1], norm.weight, norm.bias, training: true, weight, _epsilon);
                next += 2;
                return y;
            }
            var x = _inputNorm is null ? input : Fold(input, _inputNorm);
            for (int i = 0; i < _hidden.Count && _norms.Count > 0; i++)
                x = Activate(Fold(ApplyDense(i, x, sharedRows: true), _norms[i]));
        }

        /// <summary>Sets the population statistics to the mean of <paramref name="parts"/>' averages (from
        /// <see cref="AccumulatePopulationStatistics"/>) weighted by their numbers of batches, in double; one part is
        /// copied exactly.</summary>
        public void SetPopulationStatistics(IReadOnlyList<(Tensor[] Averages, int Batches)> parts)
        {
            int total = parts.Sum(part => part.Batches), index = 0;
            foreach (var norm in BatchNorms())
            {
                Merge(norm.running_mean, index++);
                Merge(norm.running_var, index++);
            }

            void Merge(Tensor statistic, int at)
            {
                var sums = new double[statistic.shape[0]];
                foreach (var (averages, batches) in parts)
                {
                    var values = averages[at].data<float>();
                    for (int unit = 0; unit < sums.Length; unit++)
                        sums[unit] += batches * (double)values[unit];
                }
                using var merged = tensor(sums.Select(sum => (float)(sum / total)).ToArray());
                statistic.copy_(merged);
            }
        }

        private IEnumerable<BatchNorm1d> BatchNorms() => _inputNorm is null ? _norms : _norms.Prepend(_inputNorm);

        /// <summary>
        /// <see cref="BatchNorm1d"/>'s normalization: in training, with batch statistics folded into the running ones
        /// with the network's momentum; else with the running statistics. Called as a function rather than through
        /// <c>BatchNorm1d.forward</c>, which also counts the batches (<c>num_batches_tracked.add_(1)</c>, one native op
        /// more per layer and step) for a momentum of null, which this network never has (the decay is in [0, 1)).
        /// </summary>
        private Tensor Normalize(Tensor x, BatchNorm1d norm) =>
            F.batch_norm(x, norm.running_mean, norm.running_var, norm.weight, norm.bias, training, _momentum, _epsilon);

        /// <summary>Sets every weight, bias, batch-normalization scale, shift and population statistic from
        /// <paramref name="model"/>, whose architecture <see cref="WarmStart.CheckArchitecture"/> has checked.</summary>
        public void CopyFrom(BnMlpModelParameters model)
        {
            if (Members > 1)
                throw new InvalidOperationException("An ensemble cannot start from a model's weights.");
            using var noGrad = no_grad();
            if (_inputNorm != null)
                CopyInto(_inputNorm, model.InputBatchNorm);
            for (int i = 0; i < _hidden.Count; i++)
            {
                var layer = model.Layers[i];
                CopyInto((Linear)_hidden[i], layer);
                if (_norms.Count > 0)
                    CopyInto(_norms[i], layer.BatchNorm);
            }
            CopyInto((Linear)_output, model.Layers[^1]);
        }

        private static void CopyInto(Linear linear, BnMlpLayer layer)
        {
            using var weights = tensor(layer.Weights.ToArray(), [layer.OutputCount, layer.InputCount]);
            linear.weight.copy_(weights);
            if (linear.bias is not null)
            {
                using var bias = tensor(layer.Bias.ToArray());
                linear.bias.copy_(bias);
            }
        }

        private static void CopyInto(BatchNorm1d norm, BatchNormParameters parameters)
        {
            foreach (var (target, values) in new (Tensor, IReadOnlyList<float>)[] { (norm.weight, parameters.Gamma), (norm.bias, parameters.Beta), (norm.running_mean, parameters.Mean), (norm.running_var, parameters.Variance) })
            {
                using var source = tensor(values.ToArray());
                target.copy_(source);
            }
        }

        /// <summary>Copies the learned weights and statistics into managed model parameters: an ensemble's members merged
        /// into one network (<see cref="Ensemble.Merge"/>).</summary>
        /// <param name="inputScaling">The scaling the training features had, or null.</param>
        /// <param name="inputEncoding">The encoding the training features had, before the scaling, or null.</param>
        public BnMlpModelParameters ToModelParameters(InputScalingParameters inputScaling, PiecewiseLinearEncoding inputEncoding = null)
        {
            using var scope = NewDisposeScope();
            return Ensemble.Merge(Enumerable.Range(0, Members).Select(member => MemberParameters(member, inputScaling, inputEncoding)).ToArray());
        }

        /// <summary>Member <paramref name="member"/>'s weights and statistics (the whole network's when it is one).</summary>
        internal BnMlpModelParameters MemberParameters(int member, InputScalingParameters inputScaling, PiecewiseLinearEncoding inputEncoding = null)
        {
            var layers = new List<BnMlpLayer>();
            for (int i = 0; i < _hidden.Count; i++)
                layers.Add(ToLayer(_hidden[i], member, _norms.Count > 0 ? ToParameters(_norms[i], member) : null, _activation));
            layers.Add(ToLayer(_output, member, null, null));
            return new BnMlpModelParameters(layers, _inputNorm is null ? null : ToParameters(_inputNorm, member), inputScaling, inputEncoding);
        }

        private BatchNormParameters ToParameters(BatchNorm1d bn, int member)
        {
            long units = bn.running_mean.shape[0] / Members;
            float[] Slice(Tensor values) => ToArray(values.narrow(0, member * units, units));
            return new(Slice(bn.weight), Slice(bn.bias), Slice(bn.running_mean), Slice(bn.running_var), _epsilon);
        }

        /// <summary>Member <paramref name="member"/>'s part of a dense layer: a <see cref="Linear"/> of one network, or its
        /// block of an ensemble's <see cref="MemberLinear"/>.</summary>
        private BnMlpLayer ToLayer(nn.Module<Tensor, Tensor> dense, int member, BatchNormParameters batchNorm, BnMlpActivation? activation)
        {
            if (dense is MemberLinear stacked)
            {
                return new(stacked.InputCount, stacked.OutputCount, ToArray(stacked.weight[member].t()),
                    stacked.bias is null ? null : ToArray(stacked.bias[member]), batchNorm, activation);
            }
            var linear = (Linear)dense;
            return new((int)linear.in_features, (int)linear.out_features, ToArray(linear.weight), linear.bias is null ? null : ToArray(linear.bias), batchNorm, activation);
        }

        private static float[] ToArray(Tensor tensor) => tensor.detach().contiguous().data<float>().ToArray();

        private Tensor Activate(Tensor x) => _activation switch
        {
            BnMlpActivation.ReLU => F.relu(x),
            BnMlpActivation.Sigmoid => F.sigmoid(x),
            BnMlpActivation.Tanh => F.tanh(x),
            _ => throw new ArgumentOutOfRangeException(nameof(_activation)),
        };

        /// <summary>Inverted dropout with the network's own random stream, so runs repeat under the same seed.</summary>
        private Tensor Dropout(Tensor x) => x.mul(_dropoutMasks.Next(x.shape));

        /// <summary>A dense layer of <paramref name="outputs"/> units per member: a <see cref="Linear"/> for one network, a
        /// <see cref="MemberLinear"/> for an ensemble. Each member's weights are drawn in turn, as that network alone
        /// would draw them.</summary>
        private nn.Module<Tensor, Tensor> CreateDense(int inputs, int outputs, bool hasBias, BnMlpOptionsBase options, Random random)
        {
            var weights = new float[(long)Members * outputs * inputs];
            for (int member = 0; member < Members; member++)
                InitialWeights(inputs, outputs, options, random).CopyTo(weights, (long)member * outputs * inputs);
            using var noGrad = no_grad();
            using var initialBias = options.InitialBias.ToScalar();
            if (Members == 1)
            {
                var linear = nn.Linear(inputs, outputs, hasBias);
                using var values = tensor(weights, [outputs, inputs]);
                linear.weight.copy_(values);
                linear.bias?.fill_(initialBias);
                return linear;
            }
            var layer = new MemberLinear(Members, inputs, outputs, hasBias, _bfloat16Products);
            using var drawn = tensor(weights, [Members, outputs, inputs]);
            using var transposed = drawn.transpose(1, 2);
            layer.weight.copy_(transposed);
            layer.bias?.fill_(initialBias);
            return layer;
        }

        /// <summary>Draws one network's weights [outputs, inputs] in managed code from the trainer's seeded random source,
        /// so that networks with and without batch normalization start from the same weights. Biases start at
        /// <see cref="BnMlpOptionsBase.InitialBias"/>.</summary>
        private static float[] InitialWeights(int inputs, int outputs, BnMlpOptionsBase options, Random random)
        {
            double std = options.Initialization switch
            {
                WeightInitialization.He => Math.Sqrt(2.0 / inputs),
                WeightInitialization.Xavier => Math.Sqrt(2.0 / (inputs + outputs)),
                _ => options.InitialWeightStandardDeviation,
            };
            var weights = new float[(long)inputs * outputs];
            for (int i = 0; i < weights.Length; i++)
                weights[i] = (float)(std * StandardNormal(random));
            return weights;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _one.Dispose();
            base.Dispose(disposing);
        }

        private static double StandardNormal(Random random)
        {
            // Box-Muller; 1 - NextDouble() is in (0, 1], so the logarithm is finite.
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }
    }
}
