namespace MLNet.BatchNorm
{
    /// <summary>How the trainer scales the input features before the network (<see cref="BnMlpOptionsBase.InputScaling"/>).
    /// The per-feature statistics come from the training rows (all of them, streamed ones too, in double precision) and
    /// are saved in the model (<see cref="BnMlpModelParameters.InputScaling"/>).</summary>
    public enum BnMlpInputScaling
    {
        /// <summary>The features as they come.</summary>
        None = 0,

        /// <summary>
        /// <c>(x - mean) / std</c> per feature (population standard deviation). A constant feature (standard deviation
        /// below 1e-30 or below 2^-20 of its mean's magnitude) becomes 0: the model ignores it. Affine, so scoring folds it into the first dense layer at no cost,
        /// and the ONNX export includes it.
        /// </summary>
        Standard = 1,

        /// <summary>
        /// <see cref="Standard"/>, then RealMLP's smooth clip <c>z / sqrt(1 + (z / 3)²)</c> (Holzmüller et al. 2024),
        /// which bends outliers towards ±3. Scoring applies it before the first layer (a zero feature still costs nothing);
        /// the ONNX export writes it as elementwise nodes before the first Gemm.
        /// </summary>
        StandardSmoothClip = 2,
    }

    /// <summary>How the trainer estimates the population statistics that batch normalization uses at inference.</summary>
    public enum PopulationStatisticsMode
    {
        /// <summary>
        /// The paper's inference procedure (Ioffe and Szegedy 2015, Algorithm 2): after training, with the weights
        /// frozen, one pass over the training data in mini-batches of the training size m; mean = average of the batch
        /// means, variance = m / (m - 1) x average of the batch variances. No lag behind the final weights, no decay to tune.
        /// </summary>
        Exact = 0,

        /// <summary>
        /// Exponential moving averages updated at every training step:
        /// <c>moving = decay * moving + (1 - decay) * batch value</c>, starting from mean 0 and variance 1; the batch
        /// variance is the unbiased one (PyTorch's convention).
        /// </summary>
        MovingAverage = 1,
    }

    /// <summary>The precision of the dense layers' matrix products in training's forward and backward passes
    /// (<see cref="BnMlpOptionsBase.MatrixPrecision"/>). Everything else (weights, their updates, batch normalization,
    /// the loss) stays float32, and so does the model: scoring, validation and the population statistics always multiply
    /// in float32.</summary>
    public enum BnMlpMatrixPrecision
    {
        /// <summary>Float32 products.</summary>
        Float32 = 0,

        /// <summary>
        /// Both operands of each product of at least 4 million multiply-adds (the layer's input and its weights forward;
        /// the gradient and the weights or the input backward) rounded to bfloat16, which keeps float32's range with 8 significant bits, summed in float32,
        /// and the sums rounded to bfloat16, as under PyTorch's autocast on CPUs. libtorch's oneDNN kernels run them natively on processors with
        /// AVX512-BF16 or AMX-BF16 (AMD Zen 4 and later, Intel Cooper Lake, Sapphire Rapids and later); elsewhere the
        /// trainer logs a warning and multiplies in float32.
        /// </summary>
        BFloat16 = 1,
    }

    /// <summary>How the dense layers' weights are drawn before training. Biases start at <see cref="BnMlpOptionsBase.InitialBias"/>, BN scale at 1 and shift at 0.</summary>
    public enum WeightInitialization
    {
        /// <summary>He (Kaiming) normal: N(0, 2 / inputs). Suits ReLU.</summary>
        He = 0,

        /// <summary>Xavier (Glorot) normal: N(0, 2 / (inputs + outputs)). Suits sigmoid and tanh.</summary>
        Xavier = 1,

        /// <summary>N(0, std²) with the standard deviation given by <see cref="BnMlpOptionsBase.InitialWeightStandardDeviation"/>.</summary>
        Normal = 2,
    }

    /// <summary>The optimizer that updates the weights.</summary>
    public enum BnMlpOptimizer
    {
        /// <summary>Plain stochastic gradient descent.</summary>
        Sgd = 0,

        /// <summary>Stochastic gradient descent with (heavy-ball) momentum <see cref="BnMlpOptionsBase.Momentum"/>.</summary>
        SgdMomentum = 1,

        /// <summary>Adam (Kingma and Ba 2015) with beta1 0.9, beta2 0.999.</summary>
        Adam = 2,
    }

    /// <summary>How the learning rate changes from epoch to epoch.</summary>
    public enum LearningRateSchedule
    {
        /// <summary><see cref="BnMlpOptionsBase.LearningRate"/> throughout.</summary>
        Constant = 0,

        /// <summary>Multiplied by <see cref="BnMlpOptionsBase.LearningRateStepFactor"/> every
        /// <see cref="BnMlpOptionsBase.LearningRateStepEpochs"/> epochs.</summary>
        Step = 1,

        /// <summary>Cosine annealing from the learning rate towards 0: epoch e of E uses
        /// <c>rate * (1 + cos(pi * (e - 1) / E)) / 2</c>.</summary>
        Cosine = 2,
    }

    /// <summary>The loss a regressor minimizes.</summary>
    public enum BnMlpRegressionLoss
    {
        /// <summary>Squared error (x - y)², averaged over the batch.</summary>
        SquaredError = 0,

        /// <summary>Huber loss: squared error within <see cref="BnMlpRegressionTrainer.Options.HuberDelta"/> of the label,
        /// linear beyond it, so outliers pull less.</summary>
        Huber = 1,
    }
}
