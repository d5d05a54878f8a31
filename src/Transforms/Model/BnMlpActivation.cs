namespace MLNet.BatchNorm
{
    /// <summary>The nonlinearity applied after each hidden layer (after batch normalization when it is on).</summary>
    public enum BnMlpActivation
    {
        /// <summary>max(0, x).</summary>
        ReLU = 0,

        /// <summary>1 / (1 + e^-x).</summary>
        Sigmoid = 1,

        /// <summary>Hyperbolic tangent.</summary>
        Tanh = 2,
    }
}
