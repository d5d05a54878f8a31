using System;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Inference network: every batch-normalization layer folded into the dense layer before it
    /// (<c>W' = diag(s) W</c>, <c>b' = beta + s (b - mean)</c>, <c>s = gamma / sqrt(var + eps)</c>), so a row costs one
    /// chain of dense layers (<see cref="DenseLayer"/>), after the input encoding when the model has one and the input
    /// scaling when it has a smooth clip (an affine scaling is folded into the first layer before). Immutable and shared by all threads; each caller brings its own
    /// <see cref="Workspace"/>.
    /// </summary>
    internal sealed class FoldedNetwork
    {
        private readonly DenseLayer[] _layers;
        private readonly InputScalingParameters _clippedScaling;
        private readonly PiecewiseLinearEncoding _encoding;

        /// <summary>What each feature scales and clips to when it is 0; folded into the first layer's bias.</summary>
        private readonly float[] _clippedZero;

        /// <param name="layers">The layers, anything affine on the input already folded into the first.</param>
        /// <param name="clippedScaling">Input scaling with a smooth clip, applied to the first layer's inputs; or null.</param>
        /// <param name="encoding">Encoding of the features into the first layer's inputs, applied first; or null.</param>
        public FoldedNetwork(BnMlpLayer[] layers, InputScalingParameters clippedScaling = null, PiecewiseLinearEncoding encoding = null)
        {
            _clippedScaling = clippedScaling;
            _encoding = encoding;
            if (clippedScaling != null)
            {
                // A zero feature scales and clips to a constant. The first layer adds those constants through its bias and
                // reads only the difference from them, which is 0 wherever the feature is: it keeps skipping zero inputs
                // (most pixels of a digit), as it does without a clip.
                _clippedZero = new float[clippedScaling.FeatureCount];
                for (int i = 0; i < _clippedZero.Length; i++)
                    _clippedZero[i] = InputScalingParameters.SmoothClipValue((0 - clippedScaling.ShiftSpan[i]) * clippedScaling.ScaleSpan[i]);
                var offset = new InputScalingParameters(shift: Array.ConvertAll(_clippedZero, c => -c), scale: Array.ConvertAll(_clippedZero, _ => 1f), smoothClip: false);
                layers = [InputFolding.FoldInto(offset, null, layers[0]), .. layers[1..]];
            }
            _layers = new DenseLayer[layers.Length];
            for (int i = 0; i < layers.Length; i++)
                _layers[i] = Fold(layers[i]);
            FirstLayerInputCount = layers[0].InputCount;
            InputCount = encoding?.FeatureCount ?? FirstLayerInputCount;
            OutputCount = layers[^1].OutputCount;
            foreach (var layer in _layers)
            {
                MaxPaddedWidth = Math.Max(MaxPaddedWidth, layer.PaddedOutputCount);
                MaxInputCount = Math.Max(MaxInputCount, layer.InputCount);
            }
        }

        /// <summary>Length of the feature vector.</summary>
        public int InputCount { get; }

        /// <summary>Inputs of the first layer: the features, or their encoding.</summary>
        private int FirstLayerInputCount { get; }

        public int OutputCount { get; }

        private int MaxPaddedWidth { get; }

        private int MaxInputCount { get; }

        /// <summary>Computes the output layer's values for one row: class logits, a binary logit, or the regression value.
        /// Callers apply <see cref="Softmax"/> or <see cref="Sigmoid"/> for probabilities.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Predict(ReadOnlySpan<float> features, Span<float> outputs, Workspace workspace)
        {
            ReadOnlySpan<float> input = features;
            if (_encoding != null || _clippedScaling != null)
            {
                PrepareFirstLayerInputs(features, workspace.FirstLayerInput);
                input = workspace.FirstLayerInput;
            }
            for (int i = 0; i < _layers.Length; i++)
            {
                var layer = _layers[i];
                var output = (i % 2 == 0 ? workspace.Even : workspace.Odd).AsSpan(0, layer.PaddedOutputCount);
                layer.Apply(input, output);
                input = output[..layer.OutputCount];
            }
            CopyOutputs(input, outputs);
        }

        /// <summary>Computes the output layer's values for the first <paramref name="rows"/> rows set in
        /// <paramref name="workspace"/> (<see cref="BatchWorkspace.SetRow"/>), bit-identical to <see cref="Predict"/> row by row.</summary>
        /// <param name="rows">Rows to score, at most <see cref="BatchWorkspace.MaxRows"/>.</param>
        /// <param name="outputs">Row-major outputs, <see cref="OutputCount"/> per row.</param>
        /// <param name="workspace">The caller's workspace, holding the rows.</param>
        public void PredictBatch(int rows, Span<float> outputs, BatchWorkspace workspace)
        {
            // Rows past the last one in a partial tile hold earlier rows' values; they are computed and never read.
            int tiled = BatchWorkspace.RoundUpToTiles(rows);
            int stride = FirstLayerInputCount;
            ReadOnlySpan<float> input = workspace.FirstLayerInput;
            for (int i = 0; i < _layers.Length; i++)
            {
                var layer = _layers[i];
                var output = (i % 2 == 0 ? workspace.Even : workspace.Odd).AsSpan(0, tiled * layer.PaddedOutputCount);
                layer.ApplyBatch(input, stride, tiled, output, workspace.NonZeroIndices);
                input = output;
                stride = layer.PaddedOutputCount;
            }
            for (int r = 0; r < rows; r++)
                CopyOutputs(input.Slice(r * stride, OutputCount), outputs.Slice(r * OutputCount, OutputCount));
        }

        /// <summary>The first layer's inputs of one row: its features encoded, and scaled and clipped, where the network
        /// does so, with the single-row path's operations (so both give the same bits), or copied. Written straight from
        /// the caller's features, so a row is copied once.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void PrepareFirstLayerInputs(ReadOnlySpan<float> features, Span<float> firstLayerInputs)
        {
            if (features.Length != InputCount)
                throw new ArgumentException($"Expected {InputCount} features, got {features.Length}.", nameof(features));
            if (_encoding != null)
            {
                _encoding.Encode(features, firstLayerInputs);
                features = firstLayerInputs;
            }
            if (_clippedScaling != null)
                ScaleAndClip(features, firstLayerInputs);
            else if (_encoding == null)
                features.CopyTo(firstLayerInputs);
        }

        /// <summary>The scaled and clipped features less <see cref="_clippedZero"/>, which the first layer adds back; 0 for a
        /// zero feature. In place when both spans are the same. The vector loop does the scalar loop's float operations in
        /// the same order (IEEE square root and division are exact), so every row gets the same bits either way; 512-bit
        /// vectors, as the square roots and divisions take most of its time.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ScaleAndClip(ReadOnlySpan<float> features, Span<float> scaled)
        {
            var shift = _clippedScaling.ShiftSpan;
            var scale = _clippedScaling.ScaleSpan;
            int count = features.Length;
            if (scaled.Length < count || shift.Length < count || scale.Length < count || _clippedZero.Length < count)
                throw new ArgumentException("Every span needs a value per feature.", nameof(scaled));
            ref float x0 = ref MemoryMarshal.GetReference(features);
            ref float shift0 = ref MemoryMarshal.GetReference(shift);
            ref float scale0 = ref MemoryMarshal.GetReference(scale);
            ref float zero0 = ref MemoryMarshal.GetArrayDataReference(_clippedZero);
            ref float scaled0 = ref MemoryMarshal.GetReference(scaled);
            int i = 0;
            for (; i + Vector512<float>.Count <= count; i += Vector512<float>.Count)
            {
                var x = Vector512.LoadUnsafe(ref x0, (nuint)i);
                var z = (x - Vector512.LoadUnsafe(ref shift0, (nuint)i)) * Vector512.LoadUnsafe(ref scale0, (nuint)i);
                var clipped = InputScalingParameters.SmoothClipValues(z) - Vector512.LoadUnsafe(ref zero0, (nuint)i);
                Vector512.ConditionalSelect(Vector512.Equals(x, Vector512<float>.Zero), Vector512<float>.Zero, clipped).StoreUnsafe(ref scaled0, (nuint)i);
            }
            for (; i < count; i++)
            {
                float x = features[i];
                scaled[i] = x == 0 ? 0 : InputScalingParameters.SmoothClipValue((x - shift[i]) * scale[i]) - _clippedZero[i];
            }
        }

        /// <summary>Adding +0 turns -0 into +0 and leaves every other value as it is: the two paths may differ in the sign
        /// of a zero sum (<see cref="DenseLayer.ApplyBatch"/>), and raw outputs are the scores of a regressor.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private static void CopyOutputs(ReadOnlySpan<float> values, Span<float> outputs)
        {
            for (int i = 0; i < values.Length; i++)
                outputs[i] = values[i] + 0f;
        }

        /// <summary>Numerically stable softmax in place. Plain loops: there are only as many values as classes, and
        /// TensorPrimitives' generic vector code took most of a cold start's first prediction to JIT-compile.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public static void Softmax(Span<float> values)
        {
            float max = float.NegativeInfinity;
            foreach (float value in values)
                max = Math.Max(max, value);
            float sum = 0;
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = MathF.Exp(values[i] - max);
                sum += values[i];
            }
            for (int i = 0; i < values.Length; i++)
                values[i] /= sum;
        }

        /// <summary>The probability of a logit, 1 / (1 + e^-x): 0 for a very negative logit (e^-x overflows to infinity),
        /// 1 for a very positive one.</summary>
        public static float Sigmoid(float logit) => 1f / (1f + MathF.Exp(-logit));

        private static DenseLayer Fold(BnMlpLayer layer)
        {
            var (weights, bias) = FoldBatchNorm(layer);
            // Finite parameters can still overflow when folded; the batch path's exactness needs finite weights (w * 0 = 0).
            ModelChecks.CheckFinite(weights, nameof(layer));
            ModelChecks.CheckFinite(bias, nameof(layer));
            return new DenseLayer(layer.InputCount, layer.OutputCount, weights, bias, layer.Activation);
        }

        /// <summary>The layer's dense weights (unit-major, [outputs, inputs]) and bias with its batch normalization
        /// folded in; also what the ONNX export writes into its Gemm nodes.</summary>
        internal static (float[] Weights, float[] Bias) FoldBatchNorm(BnMlpLayer layer)
        {
            int inputs = layer.InputCount, outputs = layer.OutputCount;
            var bias = new float[outputs];
            if (!layer.BiasSpan.IsEmpty)
                layer.BiasSpan.CopyTo(bias);
            var scale = new double[outputs];
            scale.AsSpan().Fill(1);
            if (layer.BatchNorm is { } bn)
            {
                for (int j = 0; j < outputs; j++)
                {
                    scale[j] = bn.Scale(j);
                    bias[j] = (float)(bn.BetaSpan[j] + scale[j] * (bias[j] - bn.MeanSpan[j]));
                }
            }
            var weights = new float[inputs * outputs];
            var source = layer.WeightSpan;
            for (int j = 0; j < outputs; j++)
            {
                for (int i = 0; i < inputs; i++)
                    weights[j * inputs + i] = (float)(scale[j] * source[j * inputs + i]);
            }
            return (weights, bias);
        }

        /// <summary>Per-caller scratch memory, so that prediction allocates nothing.</summary>
        internal sealed class Workspace
        {
            public Workspace(FoldedNetwork network)
            {
                Even = new float[network.MaxPaddedWidth];
                Odd = new float[network.MaxPaddedWidth];
                FirstLayerInput = network._encoding is null && network._clippedScaling is null ? [] : new float[network.FirstLayerInputCount];
            }

            public float[] Even { get; }

            public float[] Odd { get; }

            /// <summary>The first layer's inputs when the network encodes or clips the features (else it reads them as given).</summary>
            public float[] FirstLayerInput { get; }
        }

        /// <summary>Per-caller memory for <see cref="PredictBatch"/>: the first layer's inputs of up to <see cref="MaxRows"/>
        /// rows and each layer's activations for all of them.</summary>
        internal sealed class BatchWorkspace
        {
            private readonly FoldedNetwork _network;
            private readonly int _firstLayerInputCount;

            public BatchWorkspace(FoldedNetwork network, int maxRows)
            {
                _network = network;
                MaxRows = maxRows;
                _firstLayerInputCount = network.FirstLayerInputCount;
                int tiled = RoundUpToTiles(maxRows);
                FirstLayerInput = new float[tiled * network.FirstLayerInputCount];
                Even = new float[tiled * network.MaxPaddedWidth];
                Odd = new float[tiled * network.MaxPaddedWidth];
                NonZeroIndices = new int[network.MaxInputCount];
            }

            public int MaxRows { get; }

            /// <summary>The rows' first-layer inputs, <see cref="FirstLayerInputCount"/> per row.</summary>
            public float[] FirstLayerInput { get; }

            public float[] Even { get; }

            public float[] Odd { get; }

            public int[] NonZeroIndices { get; }

            /// <summary>Sets row <paramref name="row"/> of the next <see cref="PredictBatch"/> from its features.</summary>
            public void SetRow(int row, ReadOnlySpan<float> features) =>
                _network.PrepareFirstLayerInputs(features, FirstLayerInput.AsSpan(row * _firstLayerInputCount, _firstLayerInputCount));

            public static int RoundUpToTiles(int rows) => (rows + DenseLayer.TileRows - 1) / DenseLayer.TileRows * DenseLayer.TileRows;
        }
    }
}
