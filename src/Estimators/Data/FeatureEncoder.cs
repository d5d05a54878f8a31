using System;
using System.Collections.Generic;
using static TorchSharp.torch;

namespace MLNet.BatchNorm
{
    /// <summary>
    /// Fits a <see cref="PiecewiseLinearEncoding"/> on training rows (bin edges at quantiles of each feature) and applies
    /// it to rows in native memory, with the scorer's own <see cref="PiecewiseLinearEncoding.Encode"/>, so the network
    /// trains on the values it will score.
    /// </summary>
    internal static class FeatureEncoder
    {
        /// <summary>Rows the quantiles are taken from, evenly spaced over larger data: enough for any bin count allowed.</summary>
        private const int SampleRows = 65536;

        /// <summary>Edges at the 0, 1/bins, …, 1 quantiles of each feature of <paramref name="features"/> [rows, features],
        /// repeated quantiles merged; a feature left with fewer than two bins (a 0/1 column, a constant) passes through.</summary>
        public static PiecewiseLinearEncoding Fit(Tensor features, int bins)
        {
            long rows = features.shape[0];
            int featureCount = (int)features.shape[1];
            int sampled = (int)Math.Min(rows, SampleRows);
            var columns = new float[featureCount][];
            for (int j = 0; j < featureCount; j++)
                columns[j] = new float[sampled];
            // Row k * rows / sampled is sample k: every row when they are few enough.
            int k = 0;
            long row = 0;
            NativeRows.ForEachBlock(features, block =>
            {
                for (int start = 0; start < block.Length; start += featureCount, row++)
                {
                    if (k < sampled && row == k * rows / sampled)
                    {
                        for (int j = 0; j < featureCount; j++)
                            columns[j][k] = block[start + j];
                        k++;
                    }
                }
            });
            var edges = new float[featureCount][];
            for (int j = 0; j < featureCount; j++)
                edges[j] = QuantileEdges(columns[j], bins);
            return new PiecewiseLinearEncoding(edges);
        }

        /// <summary>The encoded rows [rows, encoded values] of <paramref name="features"/>, in new native memory.</summary>
        public static Tensor Apply(PiecewiseLinearEncoding encoding, Tensor features)
        {
            long rows = features.shape[0];
            int featureCount = encoding.FeatureCount, encodedCount = encoding.EncodedCount;
            var encoded = NativeRows.Allocate(rows, encodedCount);
            try
            {
                long rowsPerBlock = NativeRows.RowsPerBlock(Math.Max(featureCount, encodedCount));
                for (long start = 0; start < rows; start += rowsPerBlock)
                {
                    long count = Math.Min(rowsPerBlock, rows - start);
                    using var source = features.narrow(0, start, count);
                    using var target = encoded.narrow(0, start, count);
                    var from = NativeRows.Values(source);
                    var to = NativeRows.Values(target);
                    for (int r = 0; r < count; r++)
                        encoding.Encode(from.Slice(r * featureCount, featureCount), to.Slice(r * encodedCount, encodedCount));
                }
                return encoded;
            }
            catch
            {
                encoded.Dispose();
                throw;
            }
        }

        private static float[] QuantileEdges(float[] values, int bins)
        {
            Array.Sort(values);
            var edges = new List<float>();
            for (int t = 0; t <= bins; t++)
            {
                float edge = values[(int)Math.Round((double)t / bins * (values.Length - 1))];
                // Ties, and edges so close that a bin's 1 / width would overflow, merge into one edge.
                if (edges.Count == 0 || (edge > edges[^1] && float.IsFinite(1f / (edge - edges[^1]))))
                    edges.Add(edge);
            }
            return edges.Count >= 3 ? edges.ToArray() : [];
        }
    }
}
