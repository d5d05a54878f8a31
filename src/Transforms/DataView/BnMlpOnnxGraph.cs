using System;
using Microsoft.ML.Data;
using Microsoft.ML.Model.OnnxConverter;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The BN-MLP as ONNX nodes, for ML.NET's own export (<c>mlContext.Model.ConvertToOnnx</c>): the network the managed
    /// scorer computes, built from the model's <see cref="BnMlpModelParameters.ScoringLayers"/> (input batch normalization
    /// folded into the first layer, each layer's batch normalization folded into its <c>Gemm</c>), then the activations.
    /// The transformers add their score columns on top (<see cref="BnMlpTransformerBase"/>).
    /// </summary>
    internal static class BnMlpOnnxGraph
    {
        /// <summary>Adds the network's nodes (the input encoding and the smooth-clipped input scaling when the model has
        /// them, then the layers),
        /// reading the float tensor [N, inputs] <paramref name="features"/>, and returns
        /// the variable holding the output layer's values [N, outputs]: class logits, or the regression value. Every op
        /// applied to the features belongs here, so that the graph stays the managed scorer's computation.</summary>
        public static string AddNetwork(OnnxContext ctx, BnMlpModelParameters model, string features)
        {
            string current = model.InputEncoding is { } encoding ? AddEncoding(ctx, encoding, features) : features;
            current = model.ClippedInputScaling is { } scaling ? AddSmoothClippedScaling(ctx, scaling, current) : current;
            var layers = model.ScoringLayers;
            for (int i = 0; i < layers.Length; i++)
            {
                var layer = layers[i];
                var (weights, bias) = FoldedNetwork.FoldBatchNorm(layer);
                string w = ctx.AddInitializer(weights, [layer.OutputCount, layer.InputCount], $"BnMlpWeights{i}");
                string b = ctx.AddInitializer(bias, [layer.OutputCount], $"BnMlpBias{i}");
                var dense = new VectorDataViewType(NumberDataViewType.Single, layer.OutputCount);
                current = AddNode(ctx, "Gemm", [current, w, b], dense, $"BnMlpDense{i}", node => node.AddAttribute("transB", 1L));
                if (layer.Activation is BnMlpActivation activation)
                    current = AddNode(ctx, OpType(activation), [current], dense, $"BnMlpActivation{i}");
            }
            return current;
        }

        /// <summary>The piecewise-linear encoding, op for op as <see cref="PiecewiseLinearEncoding"/> computes it: each value
        /// gathers its feature, then <c>min(max((x - lower) * inverseWidth, low), high)</c>.</summary>
        private static string AddEncoding(OnnxContext ctx, PiecewiseLinearEncoding encoding, string features)
        {
            var type = new VectorDataViewType(NumberDataViewType.Single, encoding.EncodedCount);
            long[] shape = [encoding.EncodedCount];
            var source = Array.ConvertAll(encoding.SourceSpan.ToArray(), i => (long)i);
            string gathered = AddNode(ctx, "Gather", [features, ctx.AddInitializer(source, shape, "BnMlpEncodingSource")], type, "BnMlpEncodingGathered",
                node => node.AddAttribute("axis", 1L));
            string shifted = AddNode(ctx, "Sub", [gathered, ctx.AddInitializer(encoding.LowerSpan.ToArray(), shape, "BnMlpEncodingLower")], type, "BnMlpEncodingShifted");
            string scaled = AddNode(ctx, "Mul", [shifted, ctx.AddInitializer(encoding.InverseWidthSpan.ToArray(), shape, "BnMlpEncodingInverseWidth")], type, "BnMlpEncodingScaled");
            string above = AddNode(ctx, "Max", [scaled, ctx.AddInitializer(encoding.LowSpan.ToArray(), shape, "BnMlpEncodingLow")], type, "BnMlpEncodingAboveLow");
            return AddNode(ctx, "Min", [above, ctx.AddInitializer(encoding.HighSpan.ToArray(), shape, "BnMlpEncodingHigh")], type, "BnMlpEncodedInput");
        }

        /// <summary>The input scaling and smooth clip of <see cref="InputScalingParameters"/>, op for op:
        /// <c>c = clamp((x - shift) * scale, ±bound)</c>, then <c>c / sqrt(1 + (c / 3)²)</c>.</summary>
        private static string AddSmoothClippedScaling(OnnxContext ctx, InputScalingParameters scaling, string features)
        {
            var type = new VectorDataViewType(NumberDataViewType.Single, scaling.FeatureCount);
            long[] shape = [scaling.FeatureCount];
            string shifted = AddNode(ctx, "Sub", [features, ctx.AddInitializer(scaling.ShiftSpan.ToArray(), shape, "BnMlpInputShift")], type, "BnMlpShifted");
            string scaled = AddNode(ctx, "Mul", [shifted, ctx.AddInitializer(scaling.ScaleSpan.ToArray(), shape, "BnMlpInputScale")], type, "BnMlpScaled");
            // Min and Max rather than Clip, whose bounds are attributes before opset 11 and inputs after.
            string below = AddNode(ctx, "Min", [scaled, ctx.AddInitializer(InputScalingParameters.ClipInputBound, "BnMlpClipUpper")], type, "BnMlpBelowBound");
            string clamped = AddNode(ctx, "Max", [below, ctx.AddInitializer(-InputScalingParameters.ClipInputBound, "BnMlpClipLower")], type, "BnMlpClamped");
            string third = AddNode(ctx, "Mul", [clamped, ctx.AddInitializer(1f / 3f, "BnMlpOneThird")], type, "BnMlpThird");
            string square = AddNode(ctx, "Mul", [third, third], type, "BnMlpThirdSquared");
            string onePlus = AddNode(ctx, "Add", [square, ctx.AddInitializer(1f, "BnMlpOne")], type, "BnMlpOnePlusSquare");
            string root = AddNode(ctx, "Sqrt", [onePlus], type, "BnMlpClipDenominator");
            return AddNode(ctx, "Div", [clamped, root], type, "BnMlpClippedInput");
        }

        /// <summary>Adds a node with one output, a new intermediate variable of <paramref name="type"/>, and returns its name.</summary>
        public static string AddNode(OnnxContext ctx, string opType, string[] inputs, DataViewType type, string outputName, Action<OnnxNode> attributes = null)
        {
            string output = ctx.AddIntermediateVariable(type, outputName);
            AddNodeInto(ctx, opType, inputs, output, attributes);
            return output;
        }

        /// <summary>Adds a node writing to an existing variable, such as a score column's.</summary>
        public static void AddNodeInto(OnnxContext ctx, string opType, string[] inputs, string output, Action<OnnxNode> attributes = null)
        {
            // The empty domain is ONNX's standard operator set; ML.NET's default would be its ai.onnx.ml domain.
            var node = ctx.CreateNode(opType, inputs, [output], ctx.GetNodeName(opType), "");
            attributes?.Invoke(node);
        }

        private static string OpType(BnMlpActivation activation) => activation switch
        {
            BnMlpActivation.ReLU => "Relu",
            BnMlpActivation.Sigmoid => "Sigmoid",
            BnMlpActivation.Tanh => "Tanh",
            _ => throw new ArgumentOutOfRangeException(nameof(activation), activation, "Unknown activation."),
        };
    }
}
