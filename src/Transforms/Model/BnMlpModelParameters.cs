using System;
using System.Collections.Generic;
using System.Linq;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// What a BN-MLP learned, as plain arrays: for each layer its weights, bias, batch-normalization scale and shift
    /// with the population statistics, and activation. The last layer gives the class logits (scores are their softmax), a binary classifier's logit, or the regression value.
    /// </summary>
    public sealed class BnMlpModelParameters
    {
        private readonly BnMlpLayer[] _layers;
        private readonly BnMlpLayer[] _scoringLayers;

        /// <summary>Creates model parameters from layers, hidden layers first and the output layer last.</summary>
        /// <param name="layers">At least the output layer. Each layer's input count must equal the previous layer's output count;
        /// every layer but the last has an activation, the last has none.</param>
        /// <param name="inputBatchNorm">Batch normalization of the input features before the first layer (after the scaling), or null.</param>
        /// <param name="inputScaling">Scaling of the first layer's inputs (after the encoding), or null.</param>
        /// <param name="inputEncoding">Piecewise-linear encoding of the features, applied first, or null.</param>
        public BnMlpModelParameters(IEnumerable<BnMlpLayer> layers, BatchNormParameters inputBatchNorm = null, InputScalingParameters inputScaling = null,
            PiecewiseLinearEncoding inputEncoding = null)
        {
            ArgumentNullException.ThrowIfNull(layers);
            _layers = layers.ToArray();
            if (_layers.Length == 0)
                throw new ArgumentException("A model needs at least an output layer.", nameof(layers));
            for (int i = 0; i < _layers.Length; i++)
            {
                var layer = _layers[i] ?? throw new ArgumentException($"Layer {i} is null.", nameof(layers));
                bool isOutput = i == _layers.Length - 1;
                if (isOutput && layer.Activation != null)
                    throw new ArgumentException("The output layer gives logits: it has no activation.", nameof(layers));
                if (!isOutput && layer.Activation == null)
                    throw new ArgumentException($"Hidden layer {i} has no activation.", nameof(layers));
                if (i > 0 && layer.InputCount != _layers[i - 1].OutputCount)
                    throw new ArgumentException($"Layer {i} expects {layer.InputCount} inputs but layer {i - 1} has {_layers[i - 1].OutputCount} units.", nameof(layers));
            }
            int firstInputs = _layers[0].InputCount;
            if (inputEncoding != null && inputEncoding.EncodedCount != firstInputs)
                throw new ArgumentException($"The input encoding writes {inputEncoding.EncodedCount} values, the first layer has {firstInputs} inputs.", nameof(inputEncoding));
            if (inputBatchNorm != null && inputBatchNorm.UnitCount != firstInputs)
                throw new ArgumentException($"Input batch normalization has {inputBatchNorm.UnitCount} units, the first layer {firstInputs} inputs.", nameof(inputBatchNorm));
            if (inputScaling != null && inputScaling.FeatureCount != firstInputs)
                throw new ArgumentException($"Input scaling has {inputScaling.FeatureCount} features, the first layer {firstInputs} inputs.", nameof(inputScaling));
            InputEncoding = inputEncoding;
            InputBatchNorm = inputBatchNorm;
            InputScaling = inputScaling;
            // A smooth clip is not affine: scoring applies the scaling and the clip before the first layer instead.
            var folded = inputScaling is { SmoothClip: false } ? inputScaling : null;
            _scoringLayers = folded is null && inputBatchNorm is null
                ? _layers
                : [InputFolding.FoldInto(folded, inputBatchNorm, _layers[0]), .. _layers[1..]];
            Network = new FoldedNetwork(_scoringLayers, ClippedInputScaling, inputEncoding);
        }

        /// <summary>Length of the feature vector the model reads.</summary>
        public int InputCount => InputEncoding?.FeatureCount ?? _layers[0].InputCount;

        /// <summary>Units of the output layer: the number of classes of a multiclass classifier, 1 for a binary classifier or a regressor.</summary>
        public int OutputCount => _layers[^1].OutputCount;

        /// <summary>The layers: hidden layers in order, then the output layer.</summary>
        public IReadOnlyList<BnMlpLayer> Layers => _layers;

        /// <summary>Batch normalization of the input features (after <see cref="InputScaling"/>, before the first layer), or
        /// <see langword="null"/>.</summary>
        public BatchNormParameters InputBatchNorm { get; }

        /// <summary>The piecewise-linear encoding of the features fitted on the training rows, applied before everything
        /// else, or <see langword="null"/> (the features go to the scaling as they are).</summary>
        public PiecewiseLinearEncoding InputEncoding { get; }

        /// <summary>The scaling of the first layer's inputs (the features, or their encoding) fitted on the training rows, or
        /// <see langword="null"/> (a model trained with <c>InputScaling = None</c>, or saved before input scaling existed).</summary>
        public InputScalingParameters InputScaling { get; }

        /// <summary>The hidden layers' sizes, in order.</summary>
        public IReadOnlyList<int> HiddenLayerSizes => _layers.Take(_layers.Length - 1).Select(l => l.OutputCount).ToArray();

        /// <summary>The layers that scoring computes: <see cref="Layers"/> with the input batch normalization and an affine input
        /// scaling folded into the first one, what the ONNX export is built from. A smooth-clipped scaling is not affine:
        /// then <see cref="ClippedInputScaling"/> comes first and the layers fold only the input batch normalization.</summary>
        internal BnMlpLayer[] ScoringLayers => _scoringLayers;

        /// <summary>The input scaling when it smooth-clips (applied to the features before <see cref="ScoringLayers"/>), else null.</summary>
        internal InputScalingParameters ClippedInputScaling => InputScaling is { SmoothClip: true } ? InputScaling : null;

        /// <summary>The inference network, with batch normalization folded into the dense layers.</summary>
        internal FoldedNetwork Network { get; }
    }
}
