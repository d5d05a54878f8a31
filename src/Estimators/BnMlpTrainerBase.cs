using System;
using System.Diagnostics;
using Microsoft.ML;
using Microsoft.ML.Runtime;
using Microsoft.ML.Trainers;
using TorchSharp;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The training shared by the BN-MLP trainers (<see cref="BnMlpTrainer"/>, <see cref="BnMlpBinaryTrainer"/>,
    /// <see cref="BnMlpRegressionTrainer"/>):
    /// reading the data into native memory, the mini-batch loop on TorchSharp, validation and early stopping, population
    /// statistics, and the export of plain-array model parameters.
    /// </summary>
    /// <typeparam name="TTransformer">The transformer <c>Fit</c> returns.</typeparam>
    public abstract class BnMlpTrainerBase<TTransformer> : ITrainerEstimator<TTransformer, BnMlpModelParameters>
        where TTransformer : BnMlpTransformerBase
    {
        /// <summary>Unscaled features beyond this are named as the likely cause of a divergence.</summary>
        private const float LargeFeatureMagnitude = 1e6f;

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
            // Input scaling, or batch normalization after the first dense layer or of the input, makes the features' scales irrelevant.
            Info = new TrainerInfo(normalization: !(options.InputScaling != BnMlpInputScaling.None || options.UseBatchNorm || options.BatchNormOnInput), calibration: false, caching: false,
                supportValid: true, supportIncrementalTrain: true);
        }

        /// <summary>What ML.NET needs to know about the trainer: normalization of the features is needed only without input
        /// scaling and without batch normalization (hidden or of the input); no caching (the rows are copied into native memory, or streamed when larger than the memory budget); no calibration
        /// (a classifier's scores are already probabilities); validation data is supported (<c>Fit(train, validation)</c>),
        /// and so is continuing from earlier model parameters (<c>Fit(train, modelParameters)</c>).</summary>
        public TrainerInfo Info { get; }

        private protected IHost Host { get; }

        private protected string LabelColumnName => _options.LabelColumnName;

        private protected string FeatureColumnName => _options.FeatureColumnName;

        /// <summary>Trains a BN-MLP on <paramref name="input"/>.</summary>
        /// <exception cref="ArgumentOutOfRangeException">A column is missing or of the wrong type.</exception>
        /// <exception cref="InvalidOperationException">The data is unusable (empty, one class, non-finite features or labels) or training diverged.</exception>
        /// <exception cref="OperationCanceledException"><see cref="BnMlpOptionsBase.CancellationToken"/> was cancelled, or
        /// <c>MLContext.CancelExecution()</c> called.</exception>
        /// <exception cref="TrainingDivergedException">The training loss became NaN or infinite.</exception>
        public TTransformer Fit(IDataView input) => FitCore(input, null, null);

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
        /// <exception cref="OperationCanceledException"><see cref="BnMlpOptionsBase.CancellationToken"/> was cancelled, or
        /// <c>MLContext.CancelExecution()</c> called.</exception>
        /// <exception cref="TrainingDivergedException">The training loss became NaN or infinite.</exception>
        public TTransformer Fit(IDataView input, IDataView validationData) => FitCore(input, validationData, null);

        /// <summary>
        /// Continues training from <paramref name="modelParameters"/> (of a fitted or loaded model, e.g.
        /// <c>transformer.Model</c>) for <see cref="BnMlpOptionsBase.NumberOfEpochs"/> more epochs on
        /// <paramref name="trainData"/>. The weights, biases and batch-normalization scales and shifts start from the
        /// parameters; the optimizer starts fresh (Adam's moments and SGD's momentum are not part of a model), and the
        /// population statistics are computed again on <paramref name="trainData"/> (with moving averages, continued from
        /// the model's). The options must describe the same network: hidden layer sizes, batch normalization (hidden and
        /// of the input), its epsilon and the activation; the data the same feature and output (class) counts.
        /// </summary>
        /// <param name="trainData">The training data.</param>
        /// <param name="modelParameters">The parameters to continue from.</param>
        /// <exception cref="InvalidOperationException">The parameters do not fit the options or the data (the message names
        /// each difference), or as for <see cref="Fit(IDataView, IDataView)"/>.</exception>
        /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
        /// <exception cref="TrainingDivergedException">The training loss became NaN or infinite.</exception>
        public TTransformer Fit(IDataView trainData, BnMlpModelParameters modelParameters)
        {
            Host.CheckValue(modelParameters, nameof(modelParameters));
            return FitCore(trainData, null, modelParameters);
        }

        /// <summary>Continues training from <paramref name="modelParameters"/> as <see cref="Fit(IDataView, BnMlpModelParameters)"/>
        /// does, validating on <paramref name="validationData"/> as <see cref="Fit(IDataView, IDataView)"/> does.</summary>
        /// <param name="trainData">The training data.</param>
        /// <param name="validationData">Validation data, or null as for <see cref="Fit(IDataView, IDataView)"/>.</param>
        /// <param name="modelParameters">The parameters to continue from.</param>
        /// <exception cref="InvalidOperationException">The parameters do not fit the options or the data, or the data is unusable.</exception>
        /// <exception cref="OperationCanceledException">Training was cancelled.</exception>
        /// <exception cref="TrainingDivergedException">The training loss became NaN or infinite.</exception>
        public TTransformer Fit(IDataView trainData, IDataView validationData, BnMlpModelParameters modelParameters)
        {
            Host.CheckValue(modelParameters, nameof(modelParameters));
            return FitCore(trainData, validationData, modelParameters);
        }

        private TTransformer FitCore(IDataView input, IDataView validationData, BnMlpModelParameters initial)
        {
            Host.CheckValue(input, nameof(input));
            using var ch = Host.Start("Training BN-MLP");
            using var threads = TorchThreads.Use(_options.NumberOfThreads);
            // Before this Fit's first matrix product, which is when oneMKL chooses its kernels.
            ch.Info(MklCpuDispatch.Describe(MklCpuDispatch.EnsureApplied()));
            if (_options.MatrixPrecision == BnMlpMatrixPrecision.BFloat16 && !BFloat16Products.AreNative)
                ch.Warning("MatrixPrecision is BFloat16, but this processor has neither AVX512-BF16 nor AMX-BF16, on which bfloat16 products would be slower than float32 ones: training multiplies in float32.");
            var cancellation = new FitCancellation(Host, _options.CancellationToken);
            TrainingRows data = null;
            InMemoryTrainingRows validation = null;
            try
            {
                cancellation.ThrowIfCancelled();
                var random = Host.Rand;
                (data, validation) = LoadData(ch, input, validationData, random);
                if (initial != null)
                    WarmStart.CheckArchitecture(Host, initial, _options, data.FeatureCount, data.OutputCount);
                var encoding = EncodeInputs(ch, data, validation, initial);
                var scaling = ScaleInputs(ch, data, validation, initial, cancellation);
                var plan = new TrainingPlan(_options.BatchSizeFor(data.RowCount), _options.NumberOfEpochsFor(data.RowCount, Classes(data)),
                    _objective.ForTrainingRows(data.RowCount));
                int members = _options.EnsembleSizeFor(data.RowCount, initial != null);
                ch.Info($"{data.RowCount} training rows: batches of {plan.BatchSize}, {plan.NumberOfEpochs} epochs" +
                    $"{(members > 1 ? $", {members} networks" : "")}" +
                    $"{(_options.BatchSize is null || _options.NumberOfEpochs is null || _options.EnsembleSize is null ? " (size-aware defaults)" : "")}.");
                var clock = Stopwatch.StartNew();
                var model = TrainNetwork(ch, data, validation, initial, encoding, scaling, plan, members, random, cancellation);
                ch.Info($"Trained on {data.RowCount} rows in {clock.Elapsed.TotalSeconds:F2} s.");
                return CreateTransformer(model, input.Schema);
            }
            finally
            {
                data?.Dispose();
                validation?.Dispose();
            }
        }

        /// <summary>Trains one network, or an ensemble of <paramref name="members"/> side by side, from fresh initial weights
        /// (or <paramref name="initial"/>'s) and returns its model with its population statistics.</summary>
        private BnMlpModelParameters TrainNetwork(IChannel ch, TrainingRows data, InMemoryTrainingRows validation, BnMlpModelParameters initial,
            PiecewiseLinearEncoding encoding, InputScalingParameters scaling, TrainingPlan plan, int members, Random random, FitCancellation cancellation)
        {
            using var network = new BnMlpNetwork(data.FeatureCount, data.OutputCount, _options, random, members);
            if (initial != null)
                network.CopyFrom(initial);
            bool statisticsAreFinal = Train(ch, network, data, validation, plan, random, cancellation);
            if (network.UsesBatchNorm && _options.PopulationStatistics == PopulationStatisticsMode.Exact && !statisticsAreFinal)
            {
                var statistics = Stopwatch.StartNew();
                ExactPopulationStatistics.Estimate(network, data, plan.BatchSize, random, cancellation);
                ch.Info($"Population statistics (exact pass) took {statistics.Elapsed.TotalSeconds:F2} s.");
            }
            return ExportModel(network, encoding, scaling, data);
        }

        /// <summary>The input schema plus the score columns the transformer will add.</summary>
        public abstract SchemaShape GetOutputSchema(SchemaShape inputSchema);

        /// <summary>The transformer that scores with <paramref name="model"/>.</summary>
        private protected abstract TTransformer CreateTransformer(BnMlpModelParameters model, DataViewSchema trainingSchema);

        /// <summary>The label's classes as the size-aware rule counts them: one output per class for multiclass, 2 for
        /// the binary trainer's single logit, 0 for regression.</summary>
        private int Classes(TrainingRows data) => _objective.Kind switch
        {
            BnMlpModelKind.Multiclass => data.OutputCount,
            BnMlpModelKind.Binary => 2,
            _ => 0,
        };

        private (TrainingRows Train, InMemoryTrainingRows Validation) LoadData(IChannel ch, IDataView input, IDataView validationData, Random random)
        {
            var data = TrainingRows.Open(Host, ch, input, _options, _objective.Kind);
            try
            {
                if (validationData != null)
                {
                    var validation = InMemoryTrainingRows.Load(Host, ch, validationData, _options, _objective.Kind);
                    if (validation.FeatureCount != data.FeatureCount || validation.OutputCount != data.OutputCount)
                    {
                        validation.Dispose();
                        throw Host.Except($"The validation data has {validation.FeatureCount} features and {validation.OutputCount} outputs (classes); " +
                            $"the training data has {data.FeatureCount} and {data.OutputCount}. Prepare both with the same fitted transforms.");
                    }
                    return (data, validation);
                }
                if (_options.ValidationFraction > 0)
                    return ((InMemoryTrainingRows)data).Split(Host, _options.ValidationFraction, random); // Open streams no data then
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

        /// <summary>Fits the piecewise-linear encoding of <see cref="BnMlpOptionsBase.PiecewiseLinearBins"/> on the training
        /// rows (or, for a warm start, takes the encoding of the model it continues from) and encodes the training and
        /// validation rows with it; returns the encoding, or null without one.</summary>
        private PiecewiseLinearEncoding EncodeInputs(IChannel ch, TrainingRows data, InMemoryTrainingRows validation, BnMlpModelParameters initial)
        {
            var clock = Stopwatch.StartNew();
            int bins = _options.PiecewiseLinearBinsFor(data.RowCount, Classes(data));
            if ((initial != null ? initial.InputEncoding == null : bins == 0))
                return null;
            if (data is not InMemoryTrainingRows rows)
            {
                if (initial == null && _options.PiecewiseLinearBins is null)
                    return null;
                throw Host.Except($"The piecewise-linear encoding ({(initial != null ? "of the warm-start model" : $"PiecewiseLinearBins = {bins}")}) needs the " +
                    $"training rows in memory, but they take more than MemoryBudgetMegabytes ({_options.MemoryBudgetMegabytes}): raise the budget or set PiecewiseLinearBins = 0.");
            }
            var encoding = initial?.InputEncoding ?? FeatureEncoder.Fit(rows.Features, bins);
            bool byRule = initial == null && _options.PiecewiseLinearBins is null;
            // Tiny data with many numeric columns keeps the coarser bins of the rule rather than no encoding at all.
            if (byRule && bins > BnMlpOptionsBase.Defaults.SmallDataBins && AddedInputs(encoding) > BnMlpOptionsBase.Defaults.MaximumAddedInputs)
                encoding = FeatureEncoder.Fit(rows.Features, bins = BnMlpOptionsBase.Defaults.SmallDataBins);
            if (encoding.EncodedCount == encoding.FeatureCount)
            {
                ch.Info("No feature has enough distinct values for two bins: training on the features as they are.");
                return null;
            }
            if (byRule && AddedInputs(encoding) > BnMlpOptionsBase.Defaults.MaximumAddedInputs)
            {
                ch.Info($"The input encoding of {bins} bins would add {AddedInputs(encoding)} first-layer inputs " +
                    $"(the size-aware rule adds at most {BnMlpOptionsBase.Defaults.MaximumAddedInputs}): training on the features as they are.");
                return null;
            }
            rows.EncodeWith(encoding);
            validation?.EncodeWith(encoding);
            ch.Info($"Input encoding {(initial != null ? "of the warm-start model" : $"({bins} bins) fitted and")} applied in {clock.Elapsed.TotalSeconds:F2} s: " +
                $"{encoding.FeatureCount} features to {encoding.EncodedCount} first-layer inputs.");
            return encoding;
        }

        private static int AddedInputs(PiecewiseLinearEncoding encoding) => encoding.EncodedCount - encoding.FeatureCount;

        /// <summary>Fits the input scaling of <see cref="BnMlpOptionsBase.InputScaling"/> on the training rows (or, for a warm
        /// start, takes the scaling of the model it continues from, whose weights read features so scaled) and applies it
        /// to the training and validation rows; returns the scaling, or null without scaling.</summary>
        private InputScalingParameters ScaleInputs(IChannel ch, TrainingRows data, InMemoryTrainingRows validation, BnMlpModelParameters initial, FitCancellation cancellation)
        {
            var clock = Stopwatch.StartNew();
            var parameters = initial != null ? initial.InputScaling
                : _options.InputScaling == BnMlpInputScaling.None ? null
                : data.ComputeStatistics(cancellation).ToScaling(_options.InputScaling);
            if (parameters == null)
                return null;
            var scaler = new FeatureScaler(parameters);
            data.ScaleWith(scaler);
            validation?.ScaleWith(scaler);
            ch.Info($"Input scaling {(initial != null ? "of the warm-start model" : $"({_options.InputScaling}) fitted and")} applied in {clock.Elapsed.TotalSeconds:F2} s.");
            return parameters;
        }

        /// <summary>Runs the epochs. Returns true when the network already holds the exact population statistics of the
        /// weights it ends with (computed for validation), so they need not be computed again.</summary>
        private bool Train(IChannel ch, BnMlpNetwork network, TrainingRows data, InMemoryTrainingRows validation, TrainingPlan plan, Random random, FitCancellation cancellation)
        {
            var pass = new BatchPass(plan.BatchSize, _options.ShuffleEachEpoch, FullBatchesOnly: false, AvoidSingleRowBatch: network.UsesBatchNorm, network.Members);
            using var optimizer = new FusedOptimizer(network, _options.Optimizer, _options.LearningRate, _options.Momentum, _options.WeightDecay);
            bool exactStatistics = network.UsesBatchNorm && _options.PopulationStatistics == PopulationStatisticsMode.Exact;
            double bestLoss = double.PositiveInfinity;
            int bestEpoch = 0;
            NetworkSnapshot best = null;
            try
            {
                for (int epoch = 1; epoch <= plan.NumberOfEpochs; epoch++)
                {
                    var clock = Stopwatch.StartNew();
                    double learningRate = LearningRates.ForEpoch(_options, epoch, plan.NumberOfEpochs);
                    optimizer.LearningRate = learningRate;
                    network.train();
                    var progress = new EpochProgress(ch, _options, epoch, plan.NumberOfEpochs, learningRate);
                    var (trainingLoss, rows) = TrainEpoch(network, optimizer, plan.Objective, data, pass, random, epoch, cancellation, progress);
                    double rowsPerSecond = rows / clock.Elapsed.TotalSeconds;
                    network.eval();

                    double? validationLoss = null, validationAccuracy = null;
                    if (validation != null)
                    {
                        // Validate the model as it would be returned: with the population statistics of these weights.
                        if (exactStatistics)
                            ExactPopulationStatistics.Estimate(network, data, plan.BatchSize, random, cancellation);
                        (validationLoss, validationAccuracy) = Validation.Evaluate(network, validation, _objective, cancellation);
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
                        Epoch = epoch, NumberOfEpochs = plan.NumberOfEpochs, FractionOfEpoch = 1, TrainingLoss = trainingLoss,
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
        private (double Loss, long Rows) TrainEpoch(BnMlpNetwork network, FusedOptimizer optimizer, TrainingObjective objective, TrainingRows data,
            BatchPass pass, Random random, int epoch, FitCancellation cancellation, EpochProgress progress)
        {
            double lossSum = 0;
            long rows = 0;
            data.ForEachBatch(pass, random, cancellation, batch =>
            {
                optimizer.ZeroGradients();
                var loss = objective.TrainingLoss(network.MemberOutputs(batch.Features), batch.Labels, batch.Weights, network.Members);
                loss.backward();
                optimizer.Step();
                // An ensemble's members' mean loss.
                float value = loss.item<float>() / network.Members;
                if (!float.IsFinite(value))
                {
                    throw Host.Process(new TrainingDivergedException(epoch, batch.Number, value,
                        $"Training diverged in epoch {epoch}, batch {batch.Number}{(batch.Count is int count ? $" of {count}" : "")}: the loss became {value}. " +
                        Advice(data, "or use batch normalization")));
                }
                long length = batch.Features.shape[0] / network.Members;
                lossSum += value * length;
                rows += length;
                progress.AfterBatch(batch, lossSum, rows);
            });
            return (lossSum / rows, rows);
        }

        private BnMlpModelParameters ExportModel(BnMlpNetwork network, PiecewiseLinearEncoding encoding, InputScalingParameters scaling, TrainingRows data)
        {
            try
            {
                return network.ToModelParameters(scaling, encoding);
            }
            catch (ArgumentException e)
            {
                // Non-finite weights or statistics: never hand back a model that predicts NaN.
                throw Host.Except(e, $"Training produced an unusable model ({e.Message}). {Advice(data, null)}");
            }
        }

        /// <summary>What to change after training diverged: unscaled huge features are the cause the learning rate cannot
        /// fix (their products overflow float whatever the step), so they are named first.</summary>
        private string Advice(TrainingRows data, string alternative)
        {
            if (_options.InputScaling == BnMlpInputScaling.None && data.LargestFeatureMagnitude > LargeFeatureMagnitude)
            {
                return $"The features reach {data.LargestFeatureMagnitude:G3} and InputScaling is None: scale them " +
                    $"(InputScaling = {nameof(BnMlpInputScaling.StandardSmoothClip)}, the default, or {nameof(BnMlpInputScaling.Standard)}, or a normalizing transform before the trainer).";
            }
            return $"Lower the learning rate (it is {_options.LearningRate}){(alternative is null ? "" : " " + alternative)}.";
        }
    }
}
