using System;
using System.Collections.Generic;
using System.Linq;
using ScottPlot;

namespace MnistPipeline
{
    /// <summary>One PNG with a histogram per layer, a line per checkpoint (the fraction of values in each bin).</summary>
    public static class HistogramPlot
    {
        /// <param name="byCheckpoint">For each checkpoint's label, each layer's values.</param>
        /// <param name="layerTitle">The title of layer l's plot.</param>
        /// <param name="path">The PNG to write.</param>
        public static void Save(IReadOnlyDictionary<string, double[][]> byCheckpoint, Func<int, string> layerTitle, string path)
        {
            int layers = byCheckpoint.Values.First().Length;
            var multiplot = new Multiplot();
            multiplot.AddPlots(layers);
            for (int l = 0; l < layers; l++)
            {
                var plot = multiplot.GetPlot(l);
                foreach (var (checkpoint, values) in byCheckpoint)
                {
                    var histogram = ScottPlot.Statistics.Histogram.WithBinCount(60, values[l]);
                    var line = plot.Add.ScatterLine(histogram.Bins, histogram.Counts.Select(c => (double)c / values[l].Length).ToArray());
                    line.LegendText = checkpoint;
                }
                plot.Title(layerTitle(l));
                plot.YLabel("fraction of values");
                // Beside the curves: inside, the legend hides a tail or a saturated peak at the edge.
                plot.ShowLegend(Edge.Right);
            }
            multiplot.SavePng(path, 900, 300 * layers);
            Console.WriteLine($"Wrote {path}.");
        }
    }
}
