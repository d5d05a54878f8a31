using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Trains a batch-normalized multilayer perceptron (BN-MLP) for multiclass classification on TorchSharp.
    /// </summary>
    /// <remarks>
    /// <para>
    /// | Trainer characteristics | |
    /// |---|---|
    /// | Machine learning task | Multiclass classification |
    /// | Is normalization required? | No with batch normalization (the first hidden layer normalizes); yes without |
    /// | Is caching required? | No: the training rows are read once into native memory |
    /// | Required NuGet in addition to Microsoft.ML | MLNet.BatchNorm.Estimators (TorchSharp-cpu) for training; MLNet.BatchNorm.Transforms for scoring |
    /// </para>
    /// <para>
    /// Training details: the network is [Linear (no bias) → BatchNorm → activation → dropout] per hidden layer and a
    /// Linear output layer, trained with softmax cross-entropy on shuffled mini-batches. During training batch
    /// normalization uses each mini-batch's mean and variance; the trained model stores population statistics
    /// (<see cref="PopulationStatisticsMode"/>), so <c>Transform</c> and <c>PredictionEngine</c> score a row the same
    /// alone as in any batch. Scoring runs in managed code with batch normalization folded into the dense layers.
    /// </para>
    /// </remarks>
    public sealed partial class BnMlpTrainer : ITrainerEstimator<BnMlpMulticlassTransformer, BnMlpModelParameters>
    {
        private readonly IHost _host;
        private readonly Options _options;

        internal BnMlpTrainer(IHostEnvironment env, Options options)
        {
            Contracts.CheckValue(env, nameof(env));
            _host = env.Register(nameof(BnMlpTrainer));
            _host.CheckValue(options, nameof(options));
            options.Check();
            _options = options;
        }

        /// <summary>No normalization or caching needed; no calibration (scores are already probabilities).</summary>
        public TrainerInfo Info { get; } = new(normalization: false, calibration: false, caching: false);

        /// <summary>Trains a BN-MLP on <paramref name="input"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
        /// <exception cref="InvalidOperationException">The data is unusable (empty, one class, non-finite features) or training diverged.</exception>
        /// <exception cref="OperationCanceledException"><see cref="Options.CancellationToken"/> was cancelled.</exception>
        public BnMlpMulticlassTransformer Fit(IDataView input) => Fit(input, null);

        /// <summary>
        /// Trains a BN-MLP on <paramref name="input"/>, validating after every epoch on <paramref name="validationData"/>
        /// (same columns; scored with population statistics). With <see cref="Options.EarlyStoppingPatience"/>, training
        /// stops when the validation loss stops improving and the best epoch's model is returned.
        /// </summary>
        /// <param name="input">The training data.</param>
        /// <param name="validationData">Validation data, or null to hold out <see cref="Options.ValidationFraction"/> of
        /// <paramref name="input"/> (or not to validate when that is 0).</param>
        /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
        /// <exception cref="InvalidOperationException">The data is unusable (empty, one class, non-finite features) or training diverged.</exception>
        /// <exception cref="OperationCanceledException"><see cref="Options.CancellationToken"/> was cancelled.</exception>
        public BnMlpMulticlassTransformer Fit(IDataView input, IDataView validationData)
        {
            _host.CheckValue(input, nameof(input));
            using var ch = _host.Start("Training BN-MLP");
            int previousThreads = get_num_threads();
            if (_options.NumberOfThreads is int threads)
                set_num_threads(threads);
            TrainingData data = null, validation = null;
            try
            {
                var random = _host.Rand;
                (data, validation) = LoadData(ch, input, validationData, random);
                using var network = new BnMlpNetwork(data.FeatureCount, data.ClassCount, _options, random);
                var clock = Stopwatch.StartNew();
                bool statisticsAreFinal = Train(ch, network, data, validation, random);
                if (network.UsesBatchNorm && _options.PopulationStatistics == PopulationStatisticsMode.Exact && !statisticsAreFinal)
                {
                    var statistics = Stopwatch.StartNew();
                    ExactPopulationStatistics.Estimate(network, data, _options.BatchSize, random, _options.CancellationToken);
                    ch.Info($"Population statistics (exact pass) took {statistics.Elapsed.TotalSeconds:F2} s.");
                }
                ch.Info($"Trained on {data.RowCount} rows in {clock.Elapsed.TotalSeconds:F2} s.");
                var model = ExportModel(network);
                var labelAnnotations = input.Schema[_options.LabelColumnName].Annotations;
                return new BnMlpMulticlassTransformer(_host, model, _options.FeatureColumnName, labelAnnotations);
            }
            finally
            {
                data?.Dispose();
                validation?.Dispose();
                set_num_threads(previousThreads);
            }
        }

        /// <summary>The input schema plus <c>Score</c> and <c>PredictedLabel</c>, as ML.NET's multiclass trainers declare them.</summary>
        public SchemaShape GetOutputSchema(SchemaShape inputSchema)
        {
            _host.CheckValue(inputSchema, nameof(inputSchema));
            if (!inputSchema.TryFindColumn(_options.LabelColumnName, out var label))
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", _options.LabelColumnName);
            if (!label.IsKey)
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), "label", label.Name, "a key type (use MapValueToKey)", label.GetTypeString());
            if (!inputSchema.TryFindColumn(_options.FeatureColumnName, out var feature))
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), "feature", _options.FeatureColumnName);
            if (feature.Kind != SchemaShape.Column.VectorKind.Vector || feature.ItemType != NumberDataViewType.Single)
                throw _host.ExceptSchemaMismatch(nameof(inputSchema), "feature", feature.Name, "a known-size vector of Single", feature.GetTypeString());

            var columns = inputSchema.ToDictionary(c => c.Name);
            columns[DefaultColumnNames.Score] = new SchemaShape.Column(DefaultColumnNames.Score, SchemaShape.Column.VectorKind.Vector,
                NumberDataViewType.Single, false, new SchemaShape(AnnotationUtils.AnnotationsForMulticlassScoreColumn(label)));
            var predictedLabelAnnotations = label.Annotations.Where(a => a.Name == AnnotationUtils.Kinds.KeyValues)
                .Concat(AnnotationUtils.GetTrainerOutputAnnotation());
            columns[DefaultColumnNames.PredictedLabel] = new SchemaShape.Column(DefaultColumnNames.PredictedLabel, SchemaShape.Column.VectorKind.Scalar,
                NumberDataViewType.UInt32, true, new SchemaShape(predictedLabelAnnotations));
            return new SchemaShape(columns.Values);
        }

        private (TrainingData Train, TrainingData Validation) LoadData(IChannel ch, IDataView input, IDataView validationData, Random random)
        {
            var data = TrainingData.Load(_host, ch, input, _options);
            try
            {
                if (validationData != null)
                {
                    var validation = TrainingData.Load(_host, ch, validationData, _options);
                    if (validation.FeatureCount != data.FeatureCount || validation.ClassCount != data.ClassCount)
                    {
                        validation.Dispose();
                        throw _host.Except($"The validation data has {validation.FeatureCount} features and {validation.ClassCount} classes; " +
                            $"the training data has {data.FeatureCount} and {data.ClassCount}. Prepare both with the same fitted transforms.");
                    }
                    return (data, validation);
                }
                if (_options.ValidationFraction > 0)
                    return data.Split(_host, _options.ValidationFraction, random);
                if (_options.EarlyStoppingPatience > 0)
                    throw _host.Except("EarlyStoppingPatience needs validation data: set ValidationFraction or pass validation data to Fit.");
                return (data, null);
            }
            catch
            {
                data.Dispose();
                throw;
            }
        }

        /// <summary>Runs the epochs. Returns true when the network already holds the exact population statistics of the
        /// weights it ends with (computed for validation), so they need not be computed again.</summary>
        private bool Train(IChannel ch, BnMlpNetwork network, TrainingData data, TrainingData validation, Random random)
        {
            var batches = BatchPlan.Create(data.RowCount, _options.BatchSize, avoidSingleRowBatch: network.UsesBatchNorm);
            using var optimizer = CreateOptimizer(network);
            bool exactStatistics = network.UsesBatchNorm && _options.PopulationStatistics == PopulationStatisticsMode.Exact;
            long[] order = Enumerable.Range(0, data.RowCount).Select(i => (long)i).ToArray();
            double bestLoss = double.PositiveInfinity;
            int bestEpoch = 0;
            NetworkSnapshot best = null;
            try
            {
                for (int epoch = 1; epoch <= _options.NumberOfEpochs; epoch++)
                {
                    var clock = Stopwatch.StartNew();
                    double learningRate = LearningRates.ForEpoch(_options, epoch);
                    foreach (var group in optimizer.ParamGroups)
                        group.LearningRate = learningRate;
                    if (_options.ShuffleEachEpoch)
                        order = BatchPlan.RandomOrder(data.RowCount, random);
                    network.train();
                    double trainingLoss = TrainEpoch(network, optimizer, data, order, batches, epoch);
                    double rowsPerSecond = data.RowCount / clock.Elapsed.TotalSeconds;
                    network.eval();

                    double? validationLoss = null, validationAccuracy = null;
                    if (validation != null)
                    {
                        // Validate the model as it would be returned: with the population statistics of these weights.
                        if (exactStatistics)
                            ExactPopulationStatistics.Estimate(network, data, _options.BatchSize, random, _options.CancellationToken);
                        (double loss, double accuracy) = Validation.Evaluate(network, validation);
                        (validationLoss, validationAccuracy) = (loss, accuracy);
                    }
                    bool isBest = validationLoss < bestLoss;
                    if (isBest)
                    {
                        (bestLoss, bestEpoch) = (validationLoss.Value, epoch);
                        if (_options.EarlyStoppingPatience > 0)
                        {
                            best?.Dispose();
                            best = NetworkSnapshot.Take(network);
                        }
                    }
                    var metrics = new BnMlpEpochMetrics
                    {
                        Epoch = epoch, NumberOfEpochs = _options.NumberOfEpochs, TrainingLoss = trainingLoss,
                        ValidationLoss = validationLoss, ValidationAccuracy = validationAccuracy, IsBestSoFar = isBest,
                        LearningRate = learningRate, Elapsed = clock.Elapsed, RowsPerSecond = rowsPerSecond,
                    };
                    ch.Info(metrics.ToString());
                    _options.Progress?.Report(metrics);
                    if (_options.EarlyStoppingPatience > 0 && epoch - bestEpoch >= _options.EarlyStoppingPatience)
                    {
                        ch.Info($"Early stopping after epoch {epoch}: no better validation loss for {_options.EarlyStoppingPatience} epochs.");
                        break;
                    }
                }
                if (best != null)
                {
                    best.RestoreInto(network);
                    ch.Info($"Returning the model of epoch {bestEpoch}, whose validation loss {bestLoss:F4} was the lowest.");
                }
                return exactStatistics && validation != null;
            }
            finally
            {
                best?.Dispose();
                network.eval();
            }
        }

        /// <summary>One pass over the training rows in mini-batches; returns the mean training loss.</summary>
        private double TrainEpoch(BnMlpNetwork network, optim.Optimizer optimizer, TrainingData data, long[] order,
            IReadOnlyList<(int Start, int Length)> batches, int epoch)
        {
            using var epochOrder = tensor(order, [order.Length]);
            double lossSum = 0;
            for (int b = 0; b < batches.Count; b++)
            {
                _options.CancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                var (start, length) = batches[b];
                var index = epochOrder.narrow(0, start, length);
                optimizer.zero_grad();
                var logits = network.forward(data.Features.index_select(0, index));
                var loss = Loss(logits, data, index);
                loss.backward();
                optimizer.step();
                float value = loss.item<float>();
                if (!float.IsFinite(value))
                {
                    throw _host.Except($"Training diverged in epoch {epoch}, batch {b + 1} of {batches.Count}: the loss became {value}. " +
                        $"Lower the learning rate (it is {_options.LearningRate}) or use batch normalization.");
                }
                lossSum += value * length;
            }
            return lossSum / data.RowCount;
        }

        private static Tensor Loss(Tensor logits, TrainingData data, Tensor index)
        {
            var labels = data.Labels.index_select(0, index);
            if (data.Weights is null)
                return F.cross_entropy(logits, labels);
            var weights = data.Weights.index_select(0, index);
            var perRow = F.cross_entropy(logits, labels, reduction: nn.Reduction.None);
            // A batch whose weights are all 0 contributes no gradient rather than 0/0.
            return perRow.mul(weights).sum().div(weights.sum().clamp_min(float.Epsilon));
        }

        private optim.Optimizer CreateOptimizer(BnMlpNetwork network) => _options.Optimizer switch
        {
            BnMlpOptimizer.Sgd => optim.SGD(network.parameters(), _options.LearningRate, weight_decay: _options.WeightDecay),
            BnMlpOptimizer.SgdMomentum => optim.SGD(network.parameters(), _options.LearningRate, momentum: _options.Momentum, weight_decay: _options.WeightDecay),
            _ => optim.Adam(network.parameters(), _options.LearningRate, weight_decay: _options.WeightDecay),
        };

        private BnMlpModelParameters ExportModel(BnMlpNetwork network)
        {
            try
            {
                return network.ToModelParameters();
            }
            catch (ArgumentException e)
            {
                // Non-finite weights or statistics: never hand back a model that predicts NaN.
                throw _host.Except(e, $"Training produced an unusable model ({e.Message}). Lower the learning rate (it is {_options.LearningRate}).");
            }
        }
    }
}
