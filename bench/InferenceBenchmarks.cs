using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Microsoft.ML;
using MLNet.BatchNorm.TestSupport;
using static TorchSharp.torch;

namespace MLNet.BatchNorm.Bench
{
    /// <summary>
    /// The inference comparison of <see cref="InferenceBench"/> under BenchmarkDotNet (in process: the native TorchSharp
    /// fix and the trained models stay in this process): per-row time and allocations of each path, the BnMlp
    /// PredictionEngine as the baseline of the Ratio column. Batch benchmarks report time per row.
    /// </summary>
    [MemoryDiagnoser]
    public class InferenceBenchmarks
    {
        private InferenceSetup _setup;
        private PredictionEngine<Digit, DigitPrediction> _bnMlp, _lbfgs;
        private DigitPrediction _prediction;
        private UnfoldedNetwork _unfolded;
        private TorchSharpEvalNetwork _torch;
        private FoldedNetwork.Workspace _workspace;
        private FoldedNetwork.BatchWorkspace _batchWorkspace;
        private float[] _outputs, _batchOutputs;
        private Tensor _batch;
        private int _row;

        /// <summary>Runs every benchmark; <paramref name="quick"/> takes BenchmarkDotNet's short job.</summary>
        public static int Run(bool quick)
        {
            var job = (quick ? Job.ShortRun : Job.Default).WithToolchain(InProcessEmitToolchain.Instance);
            BenchmarkRunner.Run<InferenceBenchmarks>(DefaultConfig.Instance.AddJob(job).WithOptions(ConfigOptions.DisableOptimizationsValidator));
            return 0;
        }

        [GlobalSetup]
        public void Setup()
        {
            set_num_threads(1);
            _setup = new InferenceSetup(epochs: 15, fashion: false);
            var ml = _setup.Ml;
            _bnMlp = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(_setup.Loaded);
            _lbfgs = ml.Model.CreatePredictionEngine<Digit, DigitPrediction>(_setup.Lbfgs);
            _prediction = new DigitPrediction();
            var network = _setup.Parameters.Network;
            _unfolded = new UnfoldedNetwork(_setup.Parameters);
            _torch = new TorchSharpEvalNetwork(_setup.Parameters);
            _workspace = new FoldedNetwork.Workspace(network);
            _batchWorkspace = new FoldedNetwork.BatchWorkspace(network, BlockScorer.BlockRows);
            _outputs = new float[network.OutputCount];
            _batchOutputs = new float[BlockScorer.BlockRows * network.OutputCount];
            var features = new float[InferenceSetup.BatchRows * network.InputCount];
            for (int i = 0; i < _setup.Rows.Length; i++)
                _setup.Rows[i].Features.CopyTo(features, i * network.InputCount);
            _batch = tensor(features, [InferenceSetup.BatchRows, network.InputCount]);
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _batch.Dispose();
            _torch.Dispose();
            _setup.Dispose();
        }

        private Digit NextRow() => _setup.Rows[_row = (_row + 1) % InferenceSetup.BatchRows];

        [Benchmark(Baseline = true, Description = "BnMlp PredictionEngine")]
        public void BnMlpPredictionEngine() => _bnMlp.Predict(NextRow(), ref _prediction);

        [Benchmark(Description = "BnMlp folded network alone")]
        public void FoldedNetworkAlone()
        {
            _setup.Parameters.Network.Predict(NextRow().Features, _outputs, _workspace);
            FoldedNetwork.Softmax(_outputs);
        }

        [Benchmark(Description = "unfolded managed network")]
        public void Unfolded() => _unfolded.Predict(NextRow().Features, _outputs);

        [Benchmark(Description = "TorchSharp eval, one row")]
        public void TorchSharpRow() => _torch.Predict(NextRow().Features, _outputs);

        [Benchmark(Description = "LbfgsMaximumEntropy PredictionEngine")]
        public void LbfgsPredictionEngine() => _lbfgs.Predict(NextRow(), ref _prediction);

        [Benchmark(Description = "BnMlp Transform, per row of 10,000", OperationsPerInvoke = InferenceSetup.BatchRows)]
        public int BnMlpTransform() => InferenceSetup.ReadScores(_setup.Loaded.Transform(_setup.RowsView));

        [Benchmark(Description = "BnMlp folded blocks of 60, per row of 10,000", OperationsPerInvoke = InferenceSetup.BatchRows)]
        public int FoldedBlocks() => InferenceSetup.PredictInBlocks(_setup.Parameters.Network, _setup.Rows, _batchWorkspace, _batchOutputs);

        [Benchmark(Description = "TorchSharp eval, per row of a 10,000-row tensor", OperationsPerInvoke = InferenceSetup.BatchRows)]
        public void TorchSharpBatch() => _torch.PredictBatch(_batch);

        [Benchmark(Description = "LbfgsMaximumEntropy Transform, per row of 10,000", OperationsPerInvoke = InferenceSetup.BatchRows)]
        public int LbfgsTransform() => InferenceSetup.ReadScores(_setup.Lbfgs.Transform(_setup.RowsView));
    }
}
