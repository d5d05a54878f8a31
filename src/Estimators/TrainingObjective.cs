using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MLNet.BatchNorm
{
    /// <summary>What training minimizes and validation reports: cross-entropy for a classifier, squared error or Huber
    /// loss for a regressor.</summary>
    internal abstract class TrainingObjective
    {
        /// <summary>True when the label is a key and the outputs are class logits.</summary>
        public abstract bool IsClassification { get; }

        /// <summary>The loss from the network's outputs [rows, units] and the labels [rows]: each row's ([rows]) with
        /// <see cref="nn.Reduction.None"/>, else their sum or mean (one fused op, cheaper per training step).</summary>
        public abstract Tensor Loss(Tensor outputs, Tensor labels, nn.Reduction reduction);

        /// <summary>How many rows the outputs get right (their most probable class), or null for a regressor.</summary>
        public abstract Tensor CorrectCount(Tensor outputs, Tensor labels);

        public static TrainingObjective CrossEntropy { get; } = new CrossEntropyObjective();

        public static TrainingObjective Regression(BnMlpRegressionLoss loss, float huberDelta) => new RegressionObjective(loss, huberDelta);

        private sealed class CrossEntropyObjective : TrainingObjective
        {
            public override bool IsClassification => true;

            public override Tensor Loss(Tensor outputs, Tensor labels, nn.Reduction reduction) => F.cross_entropy(outputs, labels, reduction: reduction);

            public override Tensor CorrectCount(Tensor outputs, Tensor labels) => outputs.argmax(1).eq(labels).sum();
        }

        private sealed class RegressionObjective(BnMlpRegressionLoss loss, float huberDelta) : TrainingObjective
        {
            public override bool IsClassification => false;

            public override Tensor Loss(Tensor outputs, Tensor labels, nn.Reduction reduction)
            {
                var predictions = outputs.view(-1);
                return loss == BnMlpRegressionLoss.Huber
                    ? F.huber_loss(predictions, labels, reduction: reduction, delta: huberDelta)
                    : F.mse_loss(predictions, labels, reduction: reduction);
            }

            public override Tensor CorrectCount(Tensor outputs, Tensor labels) => null;
        }
    }
}
