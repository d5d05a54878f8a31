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
    /// </summary>
    internal sealed class BnMlpNetwork : nn.Module<Tensor, Tensor>
    {
        private readonly ModuleList<Linear> _hidden = new();
        private readonly ModuleList<BatchNorm1d> _norms = new();
        private readonly BatchNorm1d _inputNorm;
        private readonly Linear _output;
        private readonly BnMlpActivation _activation;
        private readonly float _dropoutRate;
        private readonly float _epsilon;
        private readonly double _momentum;
        private readonly Generator _dropoutGenerator;
        // Explicit Scalars that live as long as the network: see FusedOptimizer on implicitly converted numbers.
        private readonly Scalar _dropoutRateScalar;
        private readonly Scalar _dropoutScale;

        public BnMlpNetwork(int inputCount, int outputCount, BnMlpOptionsBase options, Random random)
            : base(nameof(BnMlpNetwork))
        {
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
                var linear = nn.Linear(inputs, units, hasBias: !options.UseBatchNorm);
                Initialize(linear, options, random);
                _hidden.Add(linear);
                if (options.UseBatchNorm)
                    _norms.Add(nn.BatchNorm1d(units, eps: options.BatchNormEpsilon, momentum: _momentum));
                inputs = units;
            }
            _output = nn.Linear(inputs, outputCount);
            Initialize(_output, options, random);
            _dropoutGenerator = new Generator((ulong)random.NextInt64());
            _dropoutRateScalar = _dropoutRate.ToScalar();
            _dropoutScale = (1.0 / (1.0 - _dropoutRate)).ToScalar();
            RegisterComponents();
        }

        /// <summary>True when any layer, the input included, is batch-normalized: batches then need two rows or more,
        /// and population statistics must be estimated.</summary>
        public bool UsesBatchNorm => _inputNorm != null || _norms.Count > 0;

        public override Tensor forward(Tensor input)
        {
            var x = _inputNorm is null ? input : Normalize(input, _inputNorm);
            for (int i = 0; i < _hidden.Count; i++)
            {
                x = _hidden[i].forward(x);
                if (_norms.Count > 0)
                    x = Normalize(x, _norms[i]);
                x = Activate(x);
                if (training && _dropoutRate > 0)
                    x = Dropout(x);
            }
            return _output.forward(x);
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
                x = Activate(Fold(_hidden[i].forward(x), _norms[i]));
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
            using var noGrad = no_grad();
            if (_inputNorm != null)
                CopyInto(_inputNorm, model.InputBatchNorm);
            for (int i = 0; i < _hidden.Count; i++)
            {
                var layer = model.Layers[i];
                CopyInto(_hidden[i], layer);
                if (_norms.Count > 0)
                    CopyInto(_norms[i], layer.BatchNorm);
            }
            CopyInto(_output, model.Layers[^1]);
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

        /// <summary>Copies the learned weights and statistics into managed model parameters.</summary>
        /// <param name="inputScaling">The scaling the training features had, or null.</param>
        public BnMlpModelParameters ToModelParameters(InputScalingParameters inputScaling)
        {
            var layers = new List<BnMlpLayer>();
            for (int i = 0; i < _hidden.Count; i++)
            {
                var linear = _hidden[i];
                var batchNorm = _norms.Count > 0 ? ToParameters(_norms[i]) : null;
                layers.Add(ToLayer(linear, batchNorm, _activation));
            }
            layers.Add(ToLayer(_output, null, null));
            return new BnMlpModelParameters(layers, _inputNorm is null ? null : ToParameters(_inputNorm), inputScaling);
        }

        private BatchNormParameters ToParameters(BatchNorm1d bn) =>
            new(ToArray(bn.weight), ToArray(bn.bias), ToArray(bn.running_mean), ToArray(bn.running_var), _epsilon);

        private static BnMlpLayer ToLayer(Linear linear, BatchNormParameters batchNorm, BnMlpActivation? activation) =>
            new((int)linear.in_features, (int)linear.out_features, ToArray(linear.weight), linear.bias is null ? null : ToArray(linear.bias), batchNorm, activation);

        private static float[] ToArray(Tensor tensor) => tensor.detach().contiguous().data<float>().ToArray();

        private Tensor Activate(Tensor x) => _activation switch
        {
            BnMlpActivation.ReLU => F.relu(x),
            BnMlpActivation.Sigmoid => F.sigmoid(x),
            BnMlpActivation.Tanh => F.tanh(x),
            _ => throw new ArgumentOutOfRangeException(nameof(_activation)),
        };

        /// <summary>Inverted dropout with the network's own generator, so runs repeat under the same seed.</summary>
        private Tensor Dropout(Tensor x)
        {
            var keep = rand(x.shape, generator: _dropoutGenerator).ge_(_dropoutRateScalar);
            return x.mul(keep).mul_(_dropoutScale);
        }

        /// <summary>Draws the weights in managed code from the trainer's seeded random source, so that networks with and
        /// without batch normalization start from the same weights. Biases start at <see cref="BnMlpOptionsBase.InitialBias"/>.</summary>
        private static void Initialize(Linear linear, BnMlpOptionsBase options, Random random)
        {
            long inputs = linear.in_features, outputs = linear.out_features;
            double std = options.Initialization switch
            {
                WeightInitialization.He => Math.Sqrt(2.0 / inputs),
                WeightInitialization.Xavier => Math.Sqrt(2.0 / (inputs + outputs)),
                _ => options.InitialWeightStandardDeviation,
            };
            var weights = new float[inputs * outputs];
            for (int i = 0; i < weights.Length; i++)
                weights[i] = (float)(std * StandardNormal(random));
            using (no_grad())
            {
                using var values = tensor(weights, [outputs, inputs]);
                linear.weight.copy_(values);
                using var initialBias = options.InitialBias.ToScalar();
                linear.bias?.fill_(initialBias);
            }
        }

        private static double StandardNormal(Random random)
        {
            // Box-Muller; 1 - NextDouble() is in (0, 1], so the logarithm is finite.
            double u1 = 1.0 - random.NextDouble(), u2 = random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _dropoutGenerator.Dispose();
                _dropoutRateScalar.Dispose();
                _dropoutScale.Dispose();
            }
            base.Dispose(disposing);
        }
    }
}
