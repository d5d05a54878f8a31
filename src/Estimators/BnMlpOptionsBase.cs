using System;
using System.Numerics;
using System.Threading;
using Microsoft.ML.Data;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Options shared by the BN-MLP trainers (<see cref="BnMlpTrainer.Options"/> for multiclass classification,
    /// <see cref="BnMlpBinaryTrainer.Options"/> for binary classification, <see cref="BnMlpRegressionTrainer.Options"/> for regression): the network, batch normalization, optimizer,
    /// schedule, validation and monitoring.
    /// </summary>
    public abstract class BnMlpOptionsBase
    {
        /// <summary>Default values of the options, chosen from measurements on mnist10k (see README) and on the tabular
        /// suite (docs/options.md).</summary>
        public static class Defaults
        {
            /// <summary>Hidden layer sizes 256, 128: on mnist10k 96.0% over three seeds against 95.6% for 3 x 100.</summary>
            public static int[] HiddenLayerSizes => [256, 128];

            /// <summary>ReLU.</summary>
            public const BnMlpActivation Activation = BnMlpActivation.ReLU;

            /// <summary>Batch normalization on.</summary>
            public const bool UseBatchNorm = true;

            /// <summary>1e-5, PyTorch's default.</summary>
            public const float BatchNormEpsilon = 1e-5f;

            /// <summary>Exact (the paper's Algorithm 2).</summary>
            public const PopulationStatisticsMode PopulationStatistics = PopulationStatisticsMode.Exact;

            /// <summary>0.9, PyTorch's default (its momentum 0.1).</summary>
            public const float MovingAverageDecay = 0.9f;

            /// <summary>0.2: the 256-128 network overfits mnist10k without it.</summary>
            public const float DropoutRate = 0.2f;

            /// <summary>He normal.</summary>
            public const WeightInitialization Initialization = WeightInitialization.He;

            /// <summary>0.05, the reference network's "reasonable" initialization (used with <see cref="WeightInitialization.Normal"/>).</summary>
            public const float InitialWeightStandardDeviation = 0.05f;

            /// <summary>Adam.</summary>
            public const BnMlpOptimizer Optimizer = BnMlpOptimizer.Adam;

            /// <summary>1e-3.</summary>
            public const float LearningRate = 1e-3f;

            /// <summary>0.9 (used with <see cref="BnMlpOptimizer.SgdMomentum"/>).</summary>
            public const float Momentum = 0.9f;

            /// <summary>No weight decay.</summary>
            public const float WeightDecay = 0f;

            /// <summary>
            /// <see cref="BnMlpInputScaling.StandardSmoothClip"/>. Test accuracy of the defaults on mnist10k (seed 1):
            /// None 95.90 %, Standard 95.05 % (rarely-lit border pixels get huge scales), StandardSmoothClip 95.85 %; on the
            /// tabular suite's cross-validation the clip is within noise of Standard, and both far above None where
            /// columns have very different scales (docs/options.md). Without scaling mnist10k scores a
            /// little higher; see docs/benchmarks.md.
            /// </summary>
            public const BnMlpInputScaling InputScaling = BnMlpInputScaling.StandardSmoothClip;

            /// <summary>The batch size for <paramref name="trainingRows"/> rows when <see cref="BnMlpOptionsBase.BatchSize"/> is
            /// null: the power of two nearest below rows / 64, kept within [16, 64] (so 64 from 4096 rows on, 16 up to 2047).
            /// Small data sets then take more, noisier steps per epoch.</summary>
            /// <param name="trainingRows">The rows the network trains on (after a validation split).</param>
            public static int BatchSizeFor(long trainingRows)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(trainingRows, 1);
                long perBatch = Math.Max(trainingRows / 64, 1);
                return (int)Math.Clamp(1L << BitOperations.Log2((ulong)perBatch), MinimumBatchSize, MaximumBatchSize);
            }

            /// <summary>The number of epochs for <paramref name="trainingRows"/> rows in batches of <paramref name="batchSize"/>
            /// when <see cref="BnMlpOptionsBase.NumberOfEpochs"/> is null: enough epochs for <see cref="StepsFor"/>
            /// optimizer steps, at least <see cref="MinimumEpochs"/> and at most <see cref="MaximumEpochs"/>
            /// (15 epochs from about 10,000 rows on).</summary>
            /// <param name="trainingRows">The rows the network trains on (after a validation split).</param>
            /// <param name="batchSize">Rows per batch.</param>
            /// <param name="classes">The label's classes (2 for the binary trainer), or 0 for regression.</param>
            public static int NumberOfEpochsFor(long trainingRows, int batchSize, int classes)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(trainingRows, 1);
                ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
                long stepsPerEpoch = (trainingRows + batchSize - 1) / batchSize;
                long epochs = (StepsFor(trainingRows, classes) + stepsPerEpoch - 1) / stepsPerEpoch;
                return (int)Math.Clamp(epochs, MinimumEpochs, MaximumEpochs);
            }

            /// <summary>The optimizer steps the epoch rule aims for: <see cref="BinarySteps"/> for two classes; for more
            /// classes and for regression <see cref="SmallDataSteps"/> below <see cref="SmallDataRows"/> training rows
            /// (where the batch is 16) and <see cref="MinimumSteps"/> from there on. On small binary sets 2,000 steps
            /// overfit (AUC on the tabular suite's development seeds, docs/options.md), while multiclass sets and
            /// regression (whose labels are not scaled) need them; on the suite's seven multiclass and regression sets
            /// below 2,048 rows, 4,000 steps scored higher than 2,000 on six (development seeds: Glass +2.1 accuracy
            /// points, Vowel +1.1, Soybean +0.3, BostonHousing, Servo and Ozone R² +0.007 to +0.009) and lower on Zoo
            /// (-0.5 points, one of its 202 test predictions); see docs/options.md. Beyond <see cref="ClassesPerMinimumSteps"/>
            /// classes the steps grow by <see cref="MinimumSteps"/> per further <see cref="ClassesPerMinimumSteps"/>
            /// classes (at least as many as the row rule gives), as each class then fills a smaller share of every batch:
            /// on LetterRecognition (26 classes, 16,000 training rows), 6,000 steps scored 0.963 against 0.954 with 2,000
            /// (development seeds). Ten classes or fewer (mnist10k) train as before.</summary>
            /// <param name="trainingRows">The rows the network trains on (after a validation split).</param>
            /// <param name="classes">The label's classes (2 for the binary trainer), or 0 for regression.</param>
            public static int StepsFor(long trainingRows, int classes)
            {
                ArgumentOutOfRangeException.ThrowIfLessThan(trainingRows, 1);
                if (classes == 1 || classes < 0)
                    throw new ArgumentOutOfRangeException(nameof(classes), classes, "Give the label's classes (at least 2), or 0 for regression.");
                if (classes == 2)
                    return BinarySteps;
                int steps = trainingRows < SmallDataRows ? SmallDataSteps : MinimumSteps;
                int classGroups = (classes + ClassesPerMinimumSteps - 1) / ClassesPerMinimumSteps;
                return Math.Max(steps, MinimumSteps * classGroups);
            }

            /// <summary>Classes that <see cref="MinimumSteps"/> serve; each further group of this many classes adds as many
            /// steps again.</summary>
            public const int ClassesPerMinimumSteps = 10;

            /// <summary>Smallest batch size of the rule.</summary>
            public const int MinimumBatchSize = 16;

            /// <summary>Largest batch size of the rule: mnist10k's measured 64.</summary>
            public const int MaximumBatchSize = 64;

            /// <summary>Optimizer steps the epoch rule aims for with more than two classes and for regression, from
            /// <see cref="SmallDataRows"/> training rows on.</summary>
            public const int MinimumSteps = 2000;

            /// <summary>Optimizer steps the epoch rule aims for with more than two classes and for regression below
            /// <see cref="SmallDataRows"/> training rows. There a step costs a batch of 16, and 4,000 steps end at the
            /// same 32 epochs as 2,000 steps of 32 rows just above.</summary>
            public const int SmallDataSteps = 4000;

            /// <summary>Training rows from which the batch rule gives more than <see cref="MinimumBatchSize"/> rows and the
            /// epoch rule aims for <see cref="MinimumSteps"/> rather than <see cref="SmallDataSteps"/> (more classes and
            /// regression).</summary>
            public const int SmallDataRows = 2048;

            /// <summary>Optimizer steps the epoch rule aims for with two classes (the binary trainer also decays the
            /// learning rate, <see cref="BnMlpBinaryTrainer.Defaults.LearningRateSchedule"/>).</summary>
            public const int BinarySteps = 500;

            /// <summary>Fewest epochs of the rule: mnist10k's measured 15.</summary>
            public const int MinimumEpochs = 15;

            /// <summary>Most epochs of the rule.</summary>
            public const int MaximumEpochs = 400;

            /// <summary>Shuffle every epoch.</summary>
            public const bool ShuffleEachEpoch = true;

            /// <summary>Constant learning rate (the binary trainer's is <see cref="BnMlpBinaryTrainer.Defaults.LearningRateSchedule"/>).</summary>
            public const LearningRateSchedule LearningRateSchedule = MLNet.BatchNorm.LearningRateSchedule.Constant;

            /// <summary>Step schedule: every 5 epochs.</summary>
            public const int LearningRateStepEpochs = 5;

            /// <summary>Step schedule: times 0.1.</summary>
            public const float LearningRateStepFactor = 0.1f;

            /// <summary>No validation split.</summary>
            public const float ValidationFraction = 0;

            /// <summary>No early stopping.</summary>
            public const int EarlyStoppingPatience = 0;

            /// <summary>No batch normalization of the input features.</summary>
            public const bool BatchNormOnInput = false;

            /// <summary>Biases start at 0.</summary>
            public const float InitialBias = 0f;

            /// <summary>
            /// The number of networks when <see cref="BnMlpOptionsBase.EnsembleSize"/> is null: <see cref="SmallDataEnsembleSize"/>
            /// below <see cref="EnsembleRows"/> training rows, else one. On the tabular suite's development seeds three
            /// networks scored higher than one on 10 of 13 sets below 4,096 rows (DNA accuracy +0.7 points, Pima and Sonar
            /// AUC +0.006, Ozone R² +0.016, Servo +0.007) and lower on Zoo (-1.0 point: two of its 202 test predictions),
            /// Glass and Ionosphere (-0.03 and -0.02 points); see docs/options.md. There a Fit takes seconds, so three cost
            /// little; larger data trains one network, as before.
            /// </summary>
            /// <param name="trainingRows">The rows the network trains on (after a validation split).</param>
            public static int EnsembleSizeFor(long trainingRows) => trainingRows < EnsembleRows ? SmallDataEnsembleSize : 1;

            /// <summary>Training rows from which the ensemble rule trains one network.</summary>
            public const int EnsembleRows = 4096;

            /// <summary>Networks the ensemble rule trains below <see cref="EnsembleRows"/> training rows.</summary>
            public const int SmallDataEnsembleSize = 3;

            /// <summary>
            /// The bins of the piecewise-linear input encoding when <see cref="BnMlpOptionsBase.PiecewiseLinearBins"/> is
            /// null, for a multiclass classifier or a regressor: <see cref="TinyDataBins"/> below <see cref="TinyDataRows"/>
            /// training rows, <see cref="SmallDataBins"/> below <see cref="EncodingRows"/>, else 0 (none); two classes are
            /// not encoded. The trainer also leaves out an encoding that would add more than
            /// <see cref="MaximumAddedInputs"/> first-layer inputs. On the tabular suite's development seeds 8 bins raised
            /// Glass's accuracy by 3.5 points and Ozone's R² by 0.02-0.03 and lost 0.4 points on Vowel; on the binary sets with
            /// numeric columns they lost AUC on PimaIndiansDiabetes2 and Ionosphere and moved both ways on Sonar. Below 512
            /// training rows 16 bins scored higher than 8 on every encoded set (Glass +0.7 points, Zoo +1.4, Ozone and
            /// BostonHousing R² +0.007 and +0.004), while Vowel (792 training rows) lost 0.7 points with them
            /// (docs/options.md).
            /// </summary>
            /// <param name="trainingRows">The rows the network trains on (after a validation split).</param>
            /// <param name="classes">The label's classes, 2 for the binary trainer, 0 for regression.</param>
            public static int PiecewiseLinearBinsFor(long trainingRows, int classes) =>
                classes == 2 || trainingRows >= EncodingRows ? 0 : trainingRows < TinyDataRows ? TinyDataBins : SmallDataBins;

            /// <summary>Training rows from which the encoding rule encodes nothing.</summary>
            public const int EncodingRows = 4096;

            /// <summary>Bins per feature the encoding rule gives from <see cref="TinyDataRows"/> to <see cref="EncodingRows"/> training rows.</summary>
            public const int SmallDataBins = 8;

            /// <summary>Training rows below which the encoding rule gives <see cref="TinyDataBins"/>.</summary>
            public const int TinyDataRows = 512;

            /// <summary>Bins per feature the encoding rule gives below <see cref="TinyDataRows"/> training rows.</summary>
            public const int TinyDataBins = 16;

            /// <summary>The most bins <see cref="BnMlpOptionsBase.PiecewiseLinearBins"/> takes.</summary>
            public const int MaximumBins = 256;

            /// <summary>Inputs the encoding rule may add to the first layer: where <see cref="TinyDataBins"/> would add more,
            /// the rule takes <see cref="SmallDataBins"/>, and wider data (images, many numeric columns) is not encoded by
            /// default.</summary>
            public const int MaximumAddedInputs = 1024;

            /// <summary>2048 MB of training rows in memory; larger data is streamed.</summary>
            public const int MemoryBudgetMegabytes = 2048;

            /// <summary>
            /// One thread. Fit of these defaults on mnist10k (MnistPipeline sample, 2-core VM shared with another
            /// process, load 3.6-5.3): one thread 4.8, 7.1, 6.6, 5.7 s; two threads 4.7, 64.6, 62.7, 5.6 s; TorchSharp's
            /// default (two threads here) 29.7 s; on Fashion-MNIST, two epochs, one thread 7.6 s, two threads 33.5 s.
            /// Two threads save 1-3 % on an idle machine, and their OpenMP workers spin-wait, so one busy neighbouring
            /// process makes Fit four to ten times slower.
            /// </summary>
            public const int NumberOfThreads = 1;

            /// <summary><see cref="BnMlpMatrixPrecision.Float32"/>.</summary>
            public const BnMlpMatrixPrecision MatrixPrecision = BnMlpMatrixPrecision.Float32;

            /// <summary>2 seconds.</summary>
            public static TimeSpan ProgressInterval => TimeSpan.FromSeconds(2);
        }

        /// <summary>Only this library's trainers define options.</summary>
        private protected BnMlpOptionsBase()
        {
        }

        /// <summary>The label column: a key type for a classifier (use <c>MapValueToKey</c>), a <see cref="float"/> for a
        /// regressor. Default "Label".</summary>
        public string LabelColumnName = DefaultColumnNames.Label;

        /// <summary>The feature column: a known-size vector of <see cref="float"/>. Default "Features".</summary>
        public string FeatureColumnName = DefaultColumnNames.Features;

        /// <summary>Optional example weight column (non-negative finite <see cref="float"/>); null for equal weights.</summary>
        public string ExampleWeightColumnName;

        /// <summary>Sizes of the hidden layers, in order. Default 256, 128.</summary>
        [TuningChoices("128", "256,128", "512,256", "100,100,100", "512,512")]
        public int[] HiddenLayerSizes = Defaults.HiddenLayerSizes;

        /// <summary>Nonlinearity after each hidden layer. Default ReLU.</summary>
        public BnMlpActivation Activation = Defaults.Activation;

        /// <summary>Batch normalization after each hidden dense layer (then those layers have no bias). Default on.</summary>
        public bool UseBatchNorm = Defaults.UseBatchNorm;

        /// <summary>How the input features are scaled before the network, from statistics of the training rows saved
        /// in the model: raw tabular columns on very different scales (or up to ±1e30) then train as well as standardized
        /// ones. Default <see cref="BnMlpInputScaling.StandardSmoothClip"/> (standardized, outliers bent towards ±3);
        /// <see cref="BnMlpInputScaling.Standard"/> is folded into the first layer and costs nothing at scoring.</summary>
        public BnMlpInputScaling InputScaling = Defaults.InputScaling;

        /// <summary>
        /// Bins of the piecewise-linear encoding of numeric features, applied before the scaling: a feature becomes one
        /// value per bin between quantiles of the training rows, how far it has filled that bin (0 to 1), so the
        /// network sees thresholds as a tree does (Gorishniy et al. 2022). Features with too few distinct values for two
        /// bins (one-hot and other 0/1 columns) pass through. 0 for none; otherwise 2 to 256. The first layer reads up to this many values per
        /// feature, and the rows are held encoded in memory (not with streamed data). Default null: chosen by
        /// <see cref="Defaults.PiecewiseLinearBinsFor"/> (for multiclass and regression, 16 below 512 training rows and
        /// 8 below 4,096, when the encoding adds at most <see cref="Defaults.MaximumAddedInputs"/> inputs; else none).
        /// </summary>
        [TuningChoices(0, 8, 16)]
        public int? PiecewiseLinearBins;

        /// <summary>Batch normalization of the input features before the first dense layer (with its own trained scale
        /// and shift and population statistics, folded into the first layer at inference): standardizes features of
        /// very different scales. Default off.</summary>
        public bool BatchNormOnInput = Defaults.BatchNormOnInput;

        /// <summary>Added to the variance in batch normalization; positive. Default 1e-5.</summary>
        public float BatchNormEpsilon = Defaults.BatchNormEpsilon;

        /// <summary>How population statistics are estimated. Default <see cref="PopulationStatisticsMode.Exact"/>.</summary>
        public PopulationStatisticsMode PopulationStatistics = Defaults.PopulationStatistics;

        /// <summary>Decay of the moving averages, in [0, 1) (TensorFlow's "momentum"; PyTorch's momentum is 1 - decay).
        /// Used with <see cref="PopulationStatisticsMode.MovingAverage"/>. Default 0.9.</summary>
        public float MovingAverageDecay = Defaults.MovingAverageDecay;

        /// <summary>Inverted-dropout rate after each hidden activation during training, in [0, 1). Default 0.2.</summary>
        [TuningRange(0, 0.4)]
        public float DropoutRate = Defaults.DropoutRate;

        /// <summary>Initial weight distribution. Default He. With the same seed, networks with and without batch
        /// normalization start from the same weights.</summary>
        public WeightInitialization Initialization = Defaults.Initialization;

        /// <summary>Standard deviation for <see cref="WeightInitialization.Normal"/>; positive. Default 0.05.</summary>
        public float InitialWeightStandardDeviation = Defaults.InitialWeightStandardDeviation;

        /// <summary>Initial value of every dense layer's bias (layers followed by batch normalization have none); finite.
        /// Default 0.</summary>
        public float InitialBias = Defaults.InitialBias;

        /// <summary>The optimizer. Default Adam.</summary>
        public BnMlpOptimizer Optimizer = Defaults.Optimizer;

        /// <summary>Learning rate; positive. Default 1e-3.</summary>
        [TuningRange(3e-4, 3e-3, LogScale = true)]
        public float LearningRate = Defaults.LearningRate;

        /// <summary>Momentum of <see cref="BnMlpOptimizer.SgdMomentum"/>, in [0, 1). Default 0.9.</summary>
        public float Momentum = Defaults.Momentum;

        /// <summary>L2 weight decay applied by the optimizer; not negative. Default 0.</summary>
        public float WeightDecay = Defaults.WeightDecay;

        /// <summary>Rows per mini-batch; at least 2 with batch normalization. A last batch of one row is merged into
        /// the batch before it. Default null: chosen from the number of training rows by
        /// <see cref="Defaults.BatchSizeFor"/> (64 from 4096 rows on, down to 16 for small data; see docs/options.md,
        /// "Size-aware defaults").</summary>
        [TuningChoices(32, 64, 128, 256)]
        public int? BatchSize;

        /// <summary>Passes over the training data; positive. Default null: chosen from the number of training rows and
        /// the batch size by <see cref="Defaults.NumberOfEpochsFor"/> (enough for 2000 optimizer steps, 4000 below 2048 rows,
        /// 2000 more per 10 classes beyond 10, 500 with two classes, 15 to 400 epochs; 15 from about 10,000 rows on; see
        /// docs/options.md, "Size-aware defaults").</summary>
        [TuningRange(5, 30)]
        public int? NumberOfEpochs;

        /// <summary>
        /// Networks trained side by side, each from its own initial weights, on its own row order (with
        /// <see cref="ShuffleEachEpoch"/>) and its own loss, whose outputs (logits, or the regression value) are averaged;
        /// at least 1. The model holds them as one network with each hidden layer EnsembleSize times as wide and
        /// block-diagonal beyond the first, so scoring, saving and ONNX export work as for one network. A training step does EnsembleSize times the arithmetic of one network's
        /// in one set of native calls (epoch metrics report the members' mean training loss and the ensemble's validation
        /// loss), and scoring does up to EnsembleSize² times the work of the hidden-to-hidden products. Cannot be
        /// combined with <see cref="BatchNormOnInput"/> or a warm start. Default null: chosen from the number of training
        /// rows by <see cref="Defaults.EnsembleSizeFor"/> (three networks below 4,096 rows, one from there on; one with
        /// <see cref="BatchNormOnInput"/> or a warm start).
        /// </summary>
        public int? EnsembleSize;

        /// <summary>Draw a new row order every epoch (from the <c>MLContext</c> seed). Default true.</summary>
        public bool ShuffleEachEpoch = Defaults.ShuffleEachEpoch;

        /// <summary>How the learning rate changes over the epochs. Default <see cref="LearningRateSchedule.Constant"/>
        /// (<see cref="LearningRateSchedule.Cosine"/> for <see cref="BnMlpBinaryTrainer"/>).</summary>
        [TuningChoices(LearningRateSchedule.Constant, LearningRateSchedule.Cosine)]
        public LearningRateSchedule LearningRateSchedule = Defaults.LearningRateSchedule;

        /// <summary>Epochs between steps of <see cref="LearningRateSchedule.Step"/>; positive. Default 5.</summary>
        public int LearningRateStepEpochs = Defaults.LearningRateStepEpochs;

        /// <summary>Factor applied at each step of <see cref="LearningRateSchedule.Step"/>, in (0, 1]. Default 0.1.</summary>
        public float LearningRateStepFactor = Defaults.LearningRateStepFactor;

        /// <summary>Fraction of the training rows held out (at random, from the <c>MLContext</c> seed) to validate
        /// after every epoch, in [0, 1). Ignored when validation data is passed to
        /// <c>Fit(train, validation)</c>. Default 0: no validation.</summary>
        public float ValidationFraction = Defaults.ValidationFraction;

        /// <summary>Stop when the validation loss has not improved for this many epochs, and return the weights and
        /// statistics of the best epoch. Needs validation data. Default 0: train all epochs, return the last.</summary>
        public int EarlyStoppingPatience = Defaults.EarlyStoppingPatience;

        /// <summary>Receives <see cref="BnMlpEpochMetrics"/> after every epoch, on the thread running <c>Fit</c>
        /// (a <see cref="Progress{T}"/> passes them on to its own context). Default none.</summary>
        public IProgress<BnMlpEpochMetrics> Progress;

        /// <summary>An epoch still running this long after its start or its last report is reported again, to
        /// <see cref="Progress"/> and the log, with <see cref="BnMlpEpochMetrics.IsPartial"/> set; positive. Default 2 seconds.</summary>
        public TimeSpan ProgressInterval = Defaults.ProgressInterval;

        /// <summary>Native memory the training rows may take (features as float32, labels, weights), in megabytes. Larger
        /// training data is not read whole: it is streamed from the IDataView in windows of this size, in a new chunk order
        /// every epoch, shuffled within each window. Default 2048.</summary>
        public int MemoryBudgetMegabytes = Defaults.MemoryBudgetMegabytes;

        /// <summary>Threads TorchSharp may use while training; null keeps its current setting (by default one per core).
        /// Default 1: on a 2-core machine two threads made Fit of the defaults on mnist10k at best 3 % faster (4.7 against
        /// 4.8 s) and, with another process busy, up to ten times slower (63-65 against 6-7 s); see
        /// <see cref="Defaults.NumberOfThreads"/>. TorchSharp's thread count is one setting for the whole process, and the
        /// results depend on it: Fits running at the same time with the same count run together, while a Fit with another
        /// count waits until they have finished (and they for it), so each gets exactly its own count. A Fit with null
        /// waits for nothing and trains with whatever count is in force. With one thread, input scaling and the exact
        /// statistics pass still run the two halves of their rows on two cores where the machine has them (the halves
        /// are fixed, so the model is the same on one core).</summary>
        public int? NumberOfThreads = Defaults.NumberOfThreads;

        /// <summary>The precision of the dense layers' matrix products while training. <see cref="BnMlpMatrixPrecision.BFloat16"/>
        /// rounds the operands and results of products of at least 4 million multiply-adds (batch rows × inputs × outputs)
        /// to bfloat16 and sums in float32; smaller products, for which the conversions cost more than they save, and the
        /// model stay float32. On an AMD EPYC (Zen 4) it trained a 784-1024-256 network on Fashion-MNIST in 0.71 times the
        /// time of float32 products with one thread and 0.57-0.71 times with two, to validation accuracies within 0.1 points
        /// (docs/performance.md). Default <see cref="BnMlpMatrixPrecision.Float32"/>: models that do not depend on whether
        /// the processor multiplies bfloat16.</summary>
        public BnMlpMatrixPrecision MatrixPrecision = Defaults.MatrixPrecision;

        /// <summary>Stops training: Fit throws <see cref="OperationCanceledException"/> within one batch (as it does after
        /// <c>MLContext.CancelExecution()</c>).</summary>
        public CancellationToken CancellationToken;

        internal virtual void Check()
        {
            CheckName(LabelColumnName, nameof(LabelColumnName));
            CheckName(FeatureColumnName, nameof(FeatureColumnName));
            if (HiddenLayerSizes == null)
                throw new ArgumentNullException(nameof(HiddenLayerSizes), "Give the hidden layer sizes (an empty array for none).");
            for (int i = 0; i < HiddenLayerSizes.Length; i++)
            {
                if (HiddenLayerSizes[i] < 1)
                    throw new ArgumentOutOfRangeException(nameof(HiddenLayerSizes), HiddenLayerSizes[i], $"Hidden layer {i} must have at least one unit.");
            }
            CheckDefined(Activation, nameof(Activation));
            CheckDefined(PopulationStatistics, nameof(PopulationStatistics));
            CheckDefined(Initialization, nameof(Initialization));
            CheckDefined(Optimizer, nameof(Optimizer));
            CheckPositive(BatchNormEpsilon, nameof(BatchNormEpsilon));
            CheckUnitInterval(MovingAverageDecay, nameof(MovingAverageDecay));
            CheckUnitInterval(DropoutRate, nameof(DropoutRate));
            CheckPositive(InitialWeightStandardDeviation, nameof(InitialWeightStandardDeviation));
            if (!float.IsFinite(InitialBias))
                throw new ArgumentOutOfRangeException(nameof(InitialBias), InitialBias, "The initial bias must be finite.");
            CheckPositive(LearningRate, nameof(LearningRate));
            CheckUnitInterval(Momentum, nameof(Momentum));
            if (!(WeightDecay >= 0) || float.IsInfinity(WeightDecay))
                throw new ArgumentOutOfRangeException(nameof(WeightDecay), WeightDecay, "Weight decay must be a finite number, 0 or more.");
            CheckDefined(InputScaling, nameof(InputScaling));
            CheckDefined(MatrixPrecision, nameof(MatrixPrecision));
            bool batchNorm = UseBatchNorm || BatchNormOnInput;
            if (BatchSize < (batchNorm ? 2 : 1))
                throw new ArgumentOutOfRangeException(nameof(BatchSize), BatchSize,
                    batchNorm ? "Batch normalization needs at least 2 rows per batch; use null for the size-aware default." : "The batch size must be positive, or null for the size-aware default.");
            if (NumberOfEpochs < 1)
                throw new ArgumentOutOfRangeException(nameof(NumberOfEpochs), NumberOfEpochs, "Train for at least one epoch, or use null for the size-aware default.");
            CheckDefined(LearningRateSchedule, nameof(LearningRateSchedule));
            if (LearningRateStepEpochs < 1)
                throw new ArgumentOutOfRangeException(nameof(LearningRateStepEpochs), LearningRateStepEpochs, "Step at least every epoch.");
            if (!(LearningRateStepFactor > 0 && LearningRateStepFactor <= 1))
                throw new ArgumentOutOfRangeException(nameof(LearningRateStepFactor), LearningRateStepFactor, "Must be in (0, 1].");
            CheckUnitInterval(ValidationFraction, nameof(ValidationFraction));
            if (EarlyStoppingPatience < 0)
                throw new ArgumentOutOfRangeException(nameof(EarlyStoppingPatience), EarlyStoppingPatience, "Use 0 for no early stopping, or a number of epochs.");
            if (PiecewiseLinearBins is < 0 or 1 or > Defaults.MaximumBins)
                throw new ArgumentOutOfRangeException(nameof(PiecewiseLinearBins), PiecewiseLinearBins,
                    $"Use 0 for no encoding, 2 to {Defaults.MaximumBins} bins, or null for the size-aware default.");
            if (EnsembleSize < 1)
                throw new ArgumentOutOfRangeException(nameof(EnsembleSize), EnsembleSize, "Train at least one network, or use null for the size-aware default.");
            if (EnsembleSize > 1 && BatchNormOnInput)
                throw new ArgumentException($"EnsembleSize {EnsembleSize} cannot be combined with BatchNormOnInput: each network would learn its own input normalization, and the model holds one.", nameof(EnsembleSize));
            if (MemoryBudgetMegabytes < 1)
                throw new ArgumentOutOfRangeException(nameof(MemoryBudgetMegabytes), MemoryBudgetMegabytes, "The memory budget must be at least 1 MB.");
            if (ProgressInterval <= TimeSpan.Zero)
                throw new ArgumentOutOfRangeException(nameof(ProgressInterval), ProgressInterval, "The progress interval must be positive.");
            if (NumberOfThreads is < 1)
                throw new ArgumentOutOfRangeException(nameof(NumberOfThreads), NumberOfThreads, "Use at least one thread, or null for the default.");
        }

        /// <summary>The batch size for <paramref name="trainingRows"/> rows: <see cref="BatchSize"/>, or the size-aware rule.</summary>
        internal int BatchSizeFor(long trainingRows) => BatchSize ?? Defaults.BatchSizeFor(trainingRows);

        /// <summary>The number of networks for <paramref name="trainingRows"/> rows: <see cref="EnsembleSize"/>, or the
        /// size-aware rule; one with input batch normalization or for a <paramref name="warmStart"/>, which continue one
        /// network.</summary>
        internal int EnsembleSizeFor(long trainingRows, bool warmStart) =>
            EnsembleSize ?? (BatchNormOnInput || warmStart ? 1 : Defaults.EnsembleSizeFor(trainingRows));

        /// <summary>The bins of the input encoding for <paramref name="trainingRows"/> rows of a label with
        /// <paramref name="classes"/> classes (0 for regression): <see cref="PiecewiseLinearBins"/>, or the size-aware rule.</summary>
        internal int PiecewiseLinearBinsFor(long trainingRows, int classes) => PiecewiseLinearBins ?? Defaults.PiecewiseLinearBinsFor(trainingRows, classes);

        /// <summary>The number of epochs for <paramref name="trainingRows"/> rows of a label with <paramref name="classes"/>
        /// classes (0 for regression): <see cref="NumberOfEpochs"/>, or the size-aware rule.</summary>
        internal int NumberOfEpochsFor(long trainingRows, int classes) => NumberOfEpochs ?? Defaults.NumberOfEpochsFor(trainingRows, BatchSizeFor(trainingRows), classes);

        private static void CheckName(string name, string option)
        {
            if (string.IsNullOrWhiteSpace(name))
                throw new ArgumentException("A column name is required.", option);
        }

        private protected static void CheckDefined<TEnum>(TEnum value, string option) where TEnum : struct, Enum
        {
            if (!Enum.IsDefined(value))
                throw new ArgumentOutOfRangeException(option, value, $"Unknown {typeof(TEnum).Name}.");
        }

        private protected static void CheckPositive(float value, string option)
        {
            if (!(value > 0) || float.IsInfinity(value))
                throw new ArgumentOutOfRangeException(option, value, "Must be a positive finite number.");
        }

        private protected static void CheckUnitInterval(float value, string option)
        {
            if (!(value >= 0 && value < 1))
                throw new ArgumentOutOfRangeException(option, value, "Must be in [0, 1).");
        }
    }
}
