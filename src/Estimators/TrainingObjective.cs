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

        /// <summary>The loss of each row: [rows] from the network's outputs [rows, units] and the labels [rows].</summary>
        public abstract Tensor PerRowLoss(Tensor outputs, Tensor labels);

        /// <summary>How many rows the outputs get right (their most probable class), or null for a regressor.</summary>
        public abstract Tensor CorrectCount(Tensor outputs, Tensor labels);

        public static TrainingObjective CrossEntropy { get; } = new CrossEntropyObjective();

        public static TrainingObjective Regression(BnMlpRegressionLoss loss, float huberDelta) => new RegressionObjective(loss, huberDelta);

        private sealed class CrossEntropyObjective : TrainingObjective
        {
            public override bool IsClassification => true;

            public override Tensor PerRowLoss(Tensor outputs, Tensor labels) => F.cross_entropy(outputs, labels, reduction: nn.Reduction.None);

            public override Tensor CorrectCount(Tensor outputs, Tensor labels) => outputs.argmax(1).eq(labels).sum();
        }

        private sealed class RegressionObjective(BnMlpRegressionLoss loss, float huberDelta) : TrainingObjective
        {
            public override bool IsClassification => false;

            public override Tensor PerRowLoss(Tensor outputs, Tensor labels)
            {
                var predictions = outputs.view(-1);
                return loss == BnMlpRegressionLoss.Huber
                    ? F.huber_loss(predictions, labels, reduction: nn.Reduction.None, delta: huberDelta)
                    : F.mse_loss(predictions, labels, reduction: nn.Reduction.None);
            }

            public override Tensor CorrectCount(Tensor outputs, Tensor labels) => null;
        }
    }
}
