using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace MLNet.BatchNorm
{
    /// <summary>What training minimizes and validation reports: softmax cross-entropy for a multiclass classifier, sigmoid
    /// cross-entropy (log-loss) for a binary classifier, squared error or Huber loss for a regressor.</summary>
    internal abstract class TrainingObjective
    {
        /// <summary>What the model predicts: the label type the training data must have and the output layer's size.</summary>
        public abstract BnMlpModelKind Kind { get; }

        /// <summary>Whether the outputs are logits that validation can count right or wrong rows of.</summary>
        public bool IsClassification => Kind != BnMlpModelKind.Regression;

        /// <summary>The loss from the network's outputs [rows, units] and the labels [rows]: each row's ([rows]) with
        /// <see cref="nn.Reduction.None"/>, else their sum or mean (one fused op, cheaper per training step).</summary>
        public abstract Tensor Loss(Tensor outputs, Tensor labels, nn.Reduction reduction);

        /// <summary>The loss a training step minimizes, per row or reduced as in <see cref="Loss"/>: <see cref="Loss"/> unless
        /// the objective trains on other targets than it validates on.</summary>
        protected virtual Tensor StepLoss(Tensor outputs, Tensor labels, nn.Reduction reduction) => Loss(outputs, labels, reduction);

        /// <summary>How many rows the outputs get right (their most probable class), or null for a regressor.</summary>
        public abstract Tensor CorrectCount(Tensor outputs, Tensor labels);

        /// <summary>The weight of each row in the training loss [rows]: its example weight (or null when there are none),
        /// times whatever weight the objective gives its label.</summary>
        public virtual Tensor TrainingWeights(Tensor labels, Tensor exampleWeights) => exampleWeights;

        /// <summary>
        /// What a training step minimizes: one network's mean loss on its batch, weighted by <see cref="TrainingWeights"/>
        /// when there are any; for an ensemble of <paramref name="members"/>, whose outputs, labels and weights interleave
        /// the members' batches (<see cref="BnMlpNetwork.MemberOutputs"/>), the sum of the members' such losses, so that
        /// each member's weights get the gradient of its own loss.
        /// </summary>
        public Tensor TrainingLoss(Tensor memberOutputs, Tensor labels, Tensor exampleWeights, int members)
        {
            var weights = TrainingWeights(labels, exampleWeights);
            if (weights is null)
            {
                // Every member has as many rows: the mean over all is the mean of the members' means.
                var mean = StepLoss(memberOutputs, labels, nn.Reduction.Mean);
                if (members == 1)
                    return mean;
                using var count = members.ToScalar();
                return mean.mul(count);
            }
            // A batch whose weights are all 0 contributes no gradient rather than 0/0. An explicit Scalar, alive until
            // the ops return: see FusedOptimizer on implicitly converted numbers.
            using var smallest = float.Epsilon.ToScalar();
            var weighted = StepLoss(memberOutputs, labels, nn.Reduction.None).mul(weights);
            if (members == 1)
                return weighted.sum().div(weights.sum().clamp_min(smallest));
            // Row r of member m is at r × members + m: each column of [rows, members] is one member's batch.
            return weighted.view(-1, members).sum([0]).div(weights.view(-1, members).sum([0]).clamp_min(smallest)).sum();
        }

        /// <summary>The objective a Fit on <paramref name="trainingRows"/> rows trains on: this one, unless it has a size-aware
        /// default to resolve.</summary>
        public virtual TrainingObjective ForTrainingRows(long trainingRows) => this;

        /// <param name="labelSmoothing">Label smoothing, or null for the size-aware default.</param>
        public static TrainingObjective CrossEntropy(float? labelSmoothing) => new CrossEntropyObjective(labelSmoothing);

        public static TrainingObjective Binary(float positiveClassWeight) => new BinaryObjective(positiveClassWeight);

        public static TrainingObjective Regression(BnMlpRegressionLoss loss, float huberDelta) => new RegressionObjective(loss, huberDelta);

        /// <param name="labelSmoothing">The share of each training row's target spread evenly over the classes; null until
        /// <see cref="ForTrainingRows"/> resolves the size-aware default.</param>
        private sealed class CrossEntropyObjective(float? labelSmoothing) : TrainingObjective
        {
            public override BnMlpModelKind Kind => BnMlpModelKind.Multiclass;

            public override TrainingObjective ForTrainingRows(long trainingRows) =>
                labelSmoothing is null ? new CrossEntropyObjective(BnMlpTrainer.Defaults.LabelSmoothingFor(trainingRows)) : this;

            public override Tensor Loss(Tensor outputs, Tensor labels, nn.Reduction reduction) => F.cross_entropy(outputs, labels, reduction: reduction);

            // Training only: validation reports the log-loss of the true labels.
            protected override Tensor StepLoss(Tensor outputs, Tensor labels, nn.Reduction reduction) =>
                F.cross_entropy(outputs, labels, reduction: reduction, label_smoothing: labelSmoothing.GetValueOrDefault());

            public override Tensor CorrectCount(Tensor outputs, Tensor labels) => outputs.argmax(1).eq(labels).sum();
        }

        /// <summary>Labels are float32 0 (false) and 1 (true); the single output is the logit of true.</summary>
        private sealed class BinaryObjective(float positiveClassWeight) : TrainingObjective
        {
            public override BnMlpModelKind Kind => BnMlpModelKind.Binary;

            public override Tensor Loss(Tensor outputs, Tensor labels, nn.Reduction reduction) =>
                F.binary_cross_entropy_with_logits(outputs.view(-1), labels, reduction: reduction);

            // Predicted true when the logit is positive, as ML.NET's binary scorer thresholds the score at 0.
            public override Tensor CorrectCount(Tensor outputs, Tensor labels)
            {
                // Explicit Scalars, alive until the ops return: see FusedOptimizer on implicitly converted numbers.
                using var zero = 0.ToScalar();
                using var half = 0.5.ToScalar();
                return outputs.view(-1).gt(zero).eq(labels.gt(half)).sum();
            }

            public override Tensor TrainingWeights(Tensor labels, Tensor exampleWeights)
            {
                if (positiveClassWeight == 1)
                    return exampleWeights;
                // 1 for a negative row, the positive class weight for a positive one.
                using var excess = (positiveClassWeight - 1).ToScalar();
                using var one = 1.ToScalar();
                var classWeights = labels.mul(excess).add_(one, one);
                return exampleWeights is null ? classWeights : classWeights.mul_(exampleWeights);
            }
        }

        private sealed class RegressionObjective(BnMlpRegressionLoss loss, float huberDelta) : TrainingObjective
        {
            public override BnMlpModelKind Kind => BnMlpModelKind.Regression;

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
