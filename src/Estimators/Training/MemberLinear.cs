using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// The dense layers of an ensemble's networks (<see cref="BnMlpOptionsBase.EnsembleSize"/>) at one depth, side by
    /// side: the input holds each member's inputs one after the other [rows, members × inputs], and member k's weights
    /// read only its own block, so the members stay independent while one batched product computes them all: a step of
    /// all members makes the native calls of one network.
    /// </summary>
    internal sealed class MemberLinear : nn.Module<Tensor, Tensor>
    {
        /// <summary>[members, inputs, outputs]: each member's weights transposed, so the product needs no transposed view.</summary>
        public readonly Parameter weight;

        /// <summary>[members, 1, outputs], or null.</summary>
        public readonly Parameter bias;

        // The alpha of the bias's add, an explicit Scalar that lives as long as the layer: see FusedOptimizer on
        // implicitly converted numbers.
        private readonly Scalar _one = 1.ToScalar();

        private readonly bool _bfloat16Products;

        /// <summary>With <paramref name="bfloat16Products"/> large products multiply in bfloat16 in training mode
        /// (<see cref="BFloat16Products"/>), the others in float32.</summary>
        public MemberLinear(int members, int inputs, int outputs, bool hasBias, bool bfloat16Products = false)
            : base(nameof(MemberLinear))
        {
            (Members, InputCount, OutputCount, _bfloat16Products) = (members, inputs, outputs, bfloat16Products);
            weight = new Parameter(zeros(members, inputs, outputs));
            if (hasBias)
                bias = new Parameter(zeros(members, 1, outputs));
            RegisterComponents();
        }

        public int Members { get; }

        public int InputCount { get; }

        public int OutputCount { get; }

        /// <summary>[rows, members × inputs] to [rows, members × outputs].</summary>
        public override Tensor forward(Tensor input)
        {
            long rows = input.shape[0];
            var byMember = input.reshape(rows, Members, InputCount).transpose(0, 1);
            var outputs = Multiply(byMember, weight, (rows, weights) => rows.bmm(weights));
            // Not baddbmm: TorchSharp 0.107.0's rejected these shapes, expanding the weights where the bias belongs.
            if (bias is not null)
                outputs = outputs.add(bias, _one);
            return outputs.transpose(0, 1).reshape(rows, Members * OutputCount);
        }

        /// <summary>[rows, inputs] that every member reads to [rows, members × outputs].</summary>
        public Tensor ForSharedInput(Tensor input)
        {
            var outputs = Multiply(input, weight.transpose(0, 1).reshape(InputCount, Members * OutputCount), (rows, weights) => rows.matmul(weights));
            return bias is null ? outputs : outputs.add(bias.reshape(Members * OutputCount), _one);
        }

        private Tensor Multiply(Tensor input, Tensor weights, Func<Tensor, Tensor, Tensor> product) =>
            training && _bfloat16Products && BFloat16Products.Pays(input.numel() * weights.shape[^1])
                ? BFloat16Products.Multiply(input, weights, product) : product(input, weights);

        protected override void Dispose(bool disposing)
        {
            if (disposing)
                _one.Dispose();
            base.Dispose(disposing);
        }
    }
}
