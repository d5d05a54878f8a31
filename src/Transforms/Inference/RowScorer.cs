using System;
using System.Runtime.CompilerServices;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Scores the current row of one cursor or row, once per position however many getters ask: alone through
    /// <see cref="FoldedNetwork.Predict"/>, or from the block a <see cref="BlockScorer"/> computed (the same values). Owns
    /// its buffers, so scoring allocates nothing; not thread safe (one per cursor, as ML.NET's getters are).
    /// </summary>
    internal sealed class RowScorer
    {
        private readonly DataViewRow _input;
        private readonly float[] _outputs;
        private readonly BnMlpModelKind _kind;

        // Single-row scoring: the row's features through FoldedNetwork.Predict.
        private readonly FoldedNetwork _network;
        private readonly FeatureReader _features;
        private readonly FoldedNetwork.Workspace _workspace;

        // Or block scoring: the outputs precomputed for a block of rows (null when scoring single rows).
        private readonly BlockScorer _blocks;

        private long _scoredPosition = -1;

        /// <param name="network">The folded network.</param>
        /// <param name="input">The row or cursor whose current row is scored.</param>
        /// <param name="featureColumn">The feature column of <paramref name="input"/>.</param>
        /// <param name="kind">What the model predicts: a multiclass model's outputs become class probabilities (softmax of the
        /// logits); the others are kept raw (a binary model's logit, a regression value).</param>
        public RowScorer(FoldedNetwork network, DataViewRow input, DataViewSchema.Column featureColumn, BnMlpModelKind kind)
        {
            _input = input;
            _outputs = new float[network.OutputCount];
            _kind = kind;
            _network = network;
            _features = new FeatureReader(input, featureColumn, network.InputCount);
            _workspace = new FoldedNetwork.Workspace(network);
        }

        /// <param name="input">The cursor whose current row is scored.</param>
        /// <param name="blocks">Scores the rows of <paramref name="input"/>'s source in blocks, in <paramref name="input"/>'s row order.</param>
        /// <param name="kind">What the model predicts (see the other constructor).</param>
        public RowScorer(DataViewRow input, BlockScorer blocks, BnMlpModelKind kind)
        {
            _input = input;
            _outputs = new float[blocks.OutputCount];
            _kind = kind;
            _blocks = blocks;
        }

        /// <summary>The class probabilities (a classifier's <c>Score</c> column).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // see ScoreCurrentRow
        public void GetScores(ref VBuffer<float> dst)
        {
            ScoreCurrentRow();
            var editor = VBufferEditor.Create(ref dst, _outputs.Length);
            _outputs.CopyTo(editor.Values);
            dst = editor.Commit();
        }

        /// <summary>The most probable class as a key (a classifier's <c>PredictedLabel</c> column).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // see ScoreCurrentRow
        public void GetPredictedLabel(ref uint dst)
        {
            ScoreCurrentRow();
            // A plain loop over the few classes: TensorPrimitives.IndexOfMax's generic vector code ran as tier-0 code
            // through a fresh process's first predictions. The first highest score wins, as with IndexOfMax.
            int best = 0;
            for (int i = 0; i < _outputs.Length; i++)
            {
                // Keys count from 1; 0 is the missing value, the answer for a row whose scores are NaN.
                if (float.IsNaN(_outputs[i]))
                {
                    dst = 0;
                    return;
                }
                if (_outputs[i] > _outputs[best])
                    best = i;
            }
            dst = (uint)best + 1;
        }

        /// <summary>The single output (a regressor's <c>Score</c> column, or a binary classifier's logit).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // see ScoreCurrentRow
        public void GetScore(ref float dst)
        {
            ScoreCurrentRow();
            dst = _outputs[0];
        }

        /// <summary>The sigmoid of the logit (a binary classifier's <c>Probability</c> column).</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // see ScoreCurrentRow
        public void GetProbability(ref float dst)
        {
            ScoreCurrentRow();
            dst = FoldedNetwork.Sigmoid(_outputs[0]);
        }

        /// <summary>Whether the logit is positive (a binary classifier's <c>PredictedLabel</c> column): ML.NET's binary
        /// scorer thresholds the score at 0, so a NaN score predicts false.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]   // see ScoreCurrentRow
        public void GetPredictedBoolean(ref bool dst)
        {
            ScoreCurrentRow();
            dst = _outputs[0] > 0;
        }

        /// <summary>Scores the current row unless it already is. This and every method a prediction calls are marked
        /// AggressiveOptimization: a fresh process's first thousand predictions take a few milliseconds, less than the
        /// runtime waits before it recompiles tier-0 code, so without it they would all run tier-0 code.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void ScoreCurrentRow()
        {
            long position = _input.Position;
            if (position == _scoredPosition)
                return;
            if (_blocks != null)
                _blocks.GetOutputs(position, _outputs);
            else
                _network.Predict(_features.Read(position), _outputs, _workspace);
            if (_kind == BnMlpModelKind.Multiclass)
                FoldedNetwork.Softmax(_outputs);
            _scoredPosition = position;
        }
    }
}
