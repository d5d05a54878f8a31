using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Writes a trained BN-MLP as an ONNX model (IR version 8, opset 13): per layer a <c>Gemm</c> with batch
    /// normalization (of the hidden layers and of the input) folded into its weights and bias, then <c>Relu</c>,
    /// <c>Sigmoid</c> or <c>Tanh</c>; for a classifier a final <c>Softmax</c>. Input <c>Features</c> [N, inputs] float;
    /// output <c>Score</c>: [N, classes], the same probabilities the classifier gives (in the label's key order), or for a
    /// regressor (one output unit) [N, 1], its score.
    /// </summary>
    public static class BnMlpOnnxExport
    {
        private const int FloatType = 1;      // TensorProto.DataType.FLOAT
        private const int IntAttribute = 2;   // AttributeProto.AttributeType.INT
        private const int FloatAttribute = 1; // AttributeProto.AttributeType.FLOAT

        /// <summary>Writes <paramref name="model"/> as ONNX to <paramref name="stream"/>.</summary>
        /// <param name="model">The trained parameters (<c>transformer.Model</c>) of a classifier or a regressor.</param>
        /// <param name="stream">Where the ONNX bytes go.</param>
        /// <param name="inputName">Name of the graph input. Default "Features", the usual ML.NET feature column.</param>
        /// <param name="outputName">Name of the graph output. Default "Score".</param>
        public static void Export(BnMlpModelParameters model, Stream stream, string inputName = "Features", string outputName = "Score")
        {
            ArgumentNullException.ThrowIfNull(model);
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentException.ThrowIfNullOrWhiteSpace(inputName);
            ArgumentException.ThrowIfNullOrWhiteSpace(outputName);
            var graph = new ProtoMessage().String(2, "bnmlp");
            string current = inputName;
            var initializers = new List<ProtoMessage>();
            var layers = model.ScoringLayers;
            for (int i = 0; i < layers.Length; i++)
            {
                var layer = layers[i];
                var (weights, bias) = FoldedNetwork.FoldBatchNorm(layer);
                string w = $"W{i}", b = $"B{i}", gemm = $"dense{i}";
                initializers.Add(Tensor(w, [layer.OutputCount, layer.InputCount], weights));
                initializers.Add(Tensor(b, [layer.OutputCount], bias));
                graph.Message(1, Node("Gemm", gemm, [current, w, b], gemm,
                    Attribute("alpha", 1f), Attribute("beta", 1f), Attribute("transB", 1)));
                current = gemm;
                if (layer.Activation is BnMlpActivation activation)
                {
                    string output = $"activation{i}";
                    graph.Message(1, Node(activation switch { BnMlpActivation.ReLU => "Relu", BnMlpActivation.Sigmoid => "Sigmoid", _ => "Tanh" },
                        output, [current], output));
                    current = output;
                }
            }
            if (model.OutputCount > 1)
                graph.Message(1, Node("Softmax", "softmax", [current], outputName, Attribute("axis", 1)));
            else
                graph.Message(1, Node("Identity", "score", [current], outputName));
            foreach (var initializer in initializers)
                graph.Message(5, initializer);
            graph.Message(11, ValueInfo(inputName, model.InputCount));
            graph.Message(12, ValueInfo(outputName, model.OutputCount));

            var onnx = new ProtoMessage()
                .Int64(1, 8)                                           // ir_version
                .String(2, "MLNet.BatchNorm")                          // producer_name
                .String(3, typeof(BnMlpOnnxExport).Assembly.GetName().Version?.ToString() ?? "")
                .Message(7, graph)
                .Message(8, new ProtoMessage().String(1, "").Int64(2, 13)); // opset_import: default domain, opset 13
            stream.Write(onnx.ToArray());
        }

        /// <summary>Writes <paramref name="model"/> as ONNX to the file <paramref name="path"/>.</summary>
        public static void Export(BnMlpModelParameters model, string path, string inputName = "Features", string outputName = "Score")
        {
            using var file = File.Create(path);
            Export(model, file, inputName, outputName);
        }

        private static ProtoMessage Node(string opType, string name, string[] inputs, string output, params ProtoMessage[] attributes)
        {
            var node = new ProtoMessage();
            foreach (string input in inputs)
                node.String(1, input);
            node.String(2, output).String(3, name).String(4, opType);
            foreach (var attribute in attributes)
                node.Message(5, attribute);
            return node;
        }

        private static ProtoMessage Attribute(string name, float value) => new ProtoMessage().String(1, name).Float(2, value).Int64(20, FloatAttribute);

        private static ProtoMessage Attribute(string name, long value) => new ProtoMessage().String(1, name).Int64(3, value).Int64(20, IntAttribute);

        private static ProtoMessage Tensor(string name, long[] dims, float[] values)
        {
            var tensor = new ProtoMessage();
            foreach (long dim in dims)
                tensor.Int64(1, dim);
            // raw_data is little-endian, as ONNX requires; the platforms .NET runs ML.NET on are little-endian.
            return tensor.Int64(2, FloatType).String(8, name).Bytes(9, MemoryMarshal.AsBytes(values.AsSpan()));
        }

        /// <summary>A float tensor [N, width] with a symbolic batch dimension.</summary>
        private static ProtoMessage ValueInfo(string name, int width)
        {
            var shape = new ProtoMessage()
                .Message(1, new ProtoMessage().String(2, "N"))
                .Message(1, new ProtoMessage().Int64(1, width));
            var tensorType = new ProtoMessage().Int64(1, FloatType).Message(2, shape);
            return new ProtoMessage().String(1, name).Message(2, new ProtoMessage().Message(1, tensorType));
        }
    }
}
