using System;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The training shared by the BN-MLP trainers (<see cref="BnMlpTrainer"/>, <see cref="BnMlpRegressionTrainer"/>):
    /// reading the data into native memory, the mini-batch loop on TorchSharp, validation and early stopping, population
    /// statistics, and the export of plain-array model parameters.
    /// </summary>
    /// <typeparam name="TTransformer">The transformer <c>Fit</c> returns.</typeparam>
    public abstract class BnMlpTrainerBase<TTransformer> : ITrainerEstimator<TTransformer, BnMlpModelParameters>
        where TTransformer : BnMlpTransformerBase
    {
        private readonly BnMlpOptionsBase _options;
        private readonly TrainingObjective _objective;

        private protected BnMlpTrainerBase(IHostEnvironment env, string name, BnMlpOptionsBase options, TrainingObjective objective)
        {
            Contracts.CheckValue(env, nameof(env));
            Host = env.Register(name);
            Host.CheckValue(options, nameof(options));
            options.Check();
            _options = options;
            _objective = objective;
        }

        /// <summary>No normalization or caching needed; no calibration (a classifier's scores are already probabilities).</summary>
        public TrainerInfo Info { get; } = new(normalization: false, calibration: false, caching: false);

        private protected IHost Host { get; }

        private protected string LabelColumnName => _options.LabelColumnName;

        private protected string FeatureColumnName => _options.FeatureColumnName;

        /// <summary>Trains a BN-MLP on <paramref name="input"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
        /// <exception cref="InvalidOperationException">The data is unusable (empty, one class, non-finite features or labels) or training diverged.</exception>
        /// <exception cref="OperationCanceledException"><see cref="BnMlpOptionsBase.CancellationToken"/> was cancelled.</exception>
        public TTransformer Fit(IDataView input) => Fit(input, null);

        /// <summary>
        /// Trains a BN-MLP on <paramref name="input"/>, validating after every epoch on <paramref name="validationData"/>
        /// (same columns; scored with population statistics). With <see cref="BnMlpOptionsBase.EarlyStoppingPatience"/>, training
        /// stops when the validation loss stops improving and the best epoch's model is returned.
        /// </summary>
        /// <param name="input">The training data.</param>
        /// <param name="validationData">Validation data, or null to hold out <see cref="BnMlpOptionsBase.ValidationFraction"/> of
        /// <paramref name="input"/> (or not to validate when that is 0).</param>
        /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
        /// <exception cref="InvalidOperationException">The data is unusable (empty, one class, non-finite features or labels) or training diverged.</exception>
        /// <exception cref="OperationCanceledException"><see cref="BnMlpOptionsBase.CancellationToken"/> was cancelled.</exception>
        public TTransformer Fit(IDataView input, IDataView validationData)
        {
            Host.CheckValue(input, nameof(input));
            using var ch = Host.Start("Training BN-MLP");
            int previousThreads = get_num_threads();
            // TorchSharp has loaded libtorch by now, and this Fit has run no matrix product yet.
            ch.Info(MklCpuDispatch.Describe(MklCpuDispatch.EnsureApplied()));
            if (_options.NumberOfThreads is int threads)
                set_num_threads(threads);
            TrainingRows data = null;
            TrainingData validation = null;
            try
            {
                var random = Host.Rand;
                (data, validation) = LoadData(ch, input, validationData, random);
                using var network = new BnMlpNetwork(data.FeatureCount, data.OutputCount, _options, random);
                var clock = Stopwatch.StartNew();
                bool statisticsAreFinal = Train(ch, network, data, validation, random);
                if (network.UsesBatchNorm && _options.PopulationStatistics == PopulationStatisticsMode.Exact && !statisticsAreFinal)
                {
                    var statistics = Stopwatch.StartNew();
                    ExactPopulationStatistics.Estimate(network, data, _options.BatchSize, random, _options.CancellationToken);
                    ch.Info($"Population statistics (exact pass) took {statistics.Elapsed.TotalSeconds:F2} s.");
                }
                ch.Info($"Trained on {data.RowCount} rows in {clock.Elapsed.TotalSeconds:F2} s.");
                return CreateTransformer(ExportModel(network), input.Schema);
            }
            finally
            {
                data?.Dispose();
                validation?.Dispose();
                set_num_threads(previousThreads);
            }
        }

        /// <summary>The input schema plus the score columns the transformer will add.</summary>
        public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);

        /// <summary>The transformer that scores with <paramref name="model"/>.</summary>
        private protected abstract TTransformer CreateTransformer(BnMlpModelParameters model, DataViewSchema trainingSchema);

        private (TrainingRows Train, TrainingData Validation) LoadData(IChannel ch, IDataView input, IDataView validationData, Random random)
        {
            var data = TrainingRows.Open(Host, ch, input, _options, _objective.IsClassification);
            try
            {
                if (validationData != null)
                {
                    var validation = TrainingData.Load(Host, ch, validationData, _options, _objective.IsClassification);
                    if (validation.FeatureCount != data.FeatureCount || validation.OutputCount != data.OutputCount)
                    {
                        validation.Dispose();
                        throw Host.Except($"The validation data has {validation.FeatureCount} features and {validation.OutputCount} outputs (classes); " +
                            $"the training data has {data.FeatureCount} and {data.OutputCount}. Prepare both with the same fitted transforms.");
                    }
                    return (data, validation);
                }
                if (_options.ValidationFraction > 0)
                    return ((TrainingData)data).Split(Host, _options.ValidationFraction, random); // Open streams no data then
                if (_options.EarlyStoppingPatience > 0)
                    throw Host.Except("EarlyStoppingPatience needs validation data: set ValidationFraction or pass validation data to Fit.");
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
        private bool Train(IChannel ch, BnMlpNetwork network, TrainingRows data, TrainingData validation, Random random)
        {
            var pass = new BatchPass(_options.BatchSize, _options.ShuffleEachEpoch, FullBatchesOnly: false, AvoidSingleRowBatch: network.UsesBatchNorm);
            using var optimizer = new FusedOptimizer(network, _options.Optimizer, _options.LearningRate, _options.Momentum, _options.WeightDecay);
            bool exactStatistics = network.UsesBatchNorm && _options.PopulationStatistics == PopulationStatisticsMode.Exact;
            double bestLoss = double.PositiveInfinity;
            int bestEpoch = 0;
            NetworkSnapshot best = null;
            try
            {
                for (int epoch = 1; epoch <= _options.NumberOfEpochs; epoch++)
                {
                    var clock = Stopwatch.StartNew();
                    double learningRate = LearningRates.ForEpoch(_options, epoch);
                    optimizer.LearningRate = learningRate;
                    network.train();
                    var (trainingLoss, rows) = TrainEpoch(network, optimizer, data, pass, random, epoch);
                    double rowsPerSecond = rows / clock.Elapsed.TotalSeconds;
                    network.eval();

                    double? validationLoss = null, validationAccuracy = null;
                    if (validation != null)
                    {
                        // Validate the model as it would be returned: with the population statistics of these weights.
                        if (exactStatistics)
                            ExactPopulationStatistics.Estimate(network, data, _options.BatchSize, random, _options.CancellationToken);
                        (validationLoss, validationAccuracy) = Validation.Evaluate(network, validation, _objective);
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

        /// <summary>One pass over the training rows in mini-batches; returns the mean training loss and the rows seen.</summary>
        private (double Loss, long Rows) TrainEpoch(BnMlpNetwork network, FusedOptimizer optimizer, TrainingRows data, BatchPass pass, Random random, int epoch)
        {
            double lossSum = 0;
            long rows = 0;
            data.ForEachBatch(pass, random, _options.CancellationToken, batch =>
            {
                optimizer.ZeroGradients();
                var loss = Loss(network.forward(batch.Features), batch);
                loss.backward();
                optimizer.Step();
                float value = loss.item<float>();
                if (!float.IsFinite(value))
                {
                    throw Host.Except($"Training diverged in epoch {epoch}, batch {batch.Number}{(batch.Count is int count ? $" of {count}" : "")}: the loss became {value}. " +
                        $"Lower the learning rate (it is {_options.LearningRate}) or use batch normalization.");
                }
                long length = batch.Features.shape[0];
                lossSum += value * length;
                rows += length;
            });
            return (lossSum / rows, rows);
        }

        private Tensor Loss(Tensor outputs, TrainingBatch batch)
        {
            if (batch.Weights is null)
                return _objective.Loss(outputs, batch.Labels, nn.Reduction.Mean);
            var perRow = _objective.Loss(outputs, batch.Labels, nn.Reduction.None);
            var weights = batch.Weights;
            // A batch whose weights are all 0 contributes no gradient rather than 0/0.
            return perRow.mul(weights).sum().div(weights.sum().clamp_min(float.Epsilon));
        }

        private BnMlpModelParameters ExportModel(BnMlpNetwork network)
        {
            try
            {
                return network.ToModelParameters();
            }
            catch (ArgumentException e)
            {
                // Non-finite weights or statistics: never hand back a model that predicts NaN.
                throw Host.Except(e, $"Training produced an unusable model ({e.Message}). Lower the learning rate (it is {_options.LearningRate}).");
            }
        }
    }
}
