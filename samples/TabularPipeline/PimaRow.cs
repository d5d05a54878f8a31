using Microsoft.ML.Data;

namespace TabularPipeline
{
    /// <summary>One row of data/tabular/PimaIndiansDiabetes2.csv. An empty field reads as NaN (MissingRealsAsNaNs).</summary>
    public sealed class PimaRow
    {
        [LoadColumn(0)] public float Pregnant { get; set; }
        [LoadColumn(1)] public float Glucose { get; set; }
        [LoadColumn(2)] public float Pressure { get; set; }
        [LoadColumn(3)] public float Triceps { get; set; }
        [LoadColumn(4)] public float Insulin { get; set; }
        [LoadColumn(5)] public float Mass { get; set; }
        [LoadColumn(6)] public float Pedigree { get; set; }
        [LoadColumn(7)] public float Age { get; set; }

        /// <summary>"pos" (tested positive for diabetes) or "neg".</summary>
        [LoadColumn(8)] public string Diabetes { get; set; }
    }

    /// <summary>What the binary BnMlp adds to a row.</summary>
    public sealed class PimaPrediction
    {
        public bool PredictedLabel { get; set; }
        public float Probability { get; set; }
        public float Score { get; set; }
    }
}
