using UNetSharp.IO;
using UNetSharp.Training;

namespace UNetSharp.Reporting;

/// <summary>Loss and validation-metric curves as a PNG (ScottPlot): loss on the left axis, metric on the right.</summary>
public static class TrainingCurves
{
    /// <summary>This plotter for a training run (<c>TrainRunOptions.CurvePlotter</c>), which the core library cannot draw itself.</summary>
    public static ICurvePlotter Plotter { get; } = new ScottPlotCurves();

    sealed class ScottPlotCurves : ICurvePlotter
    {
        public void Write(string path, IReadOnlyList<CurvePoint> points, string metricName = "validation Dice") => TrainingCurves.Write(path, points, metricName);
    }

    public static void Write(string path, IReadOnlyList<CurvePoint> points, string metricName = "validation Dice", int width = 900, int height = 500) =>
        AtomicFile.WriteAllBytes(path, Png(points, metricName, width, height));

    /// <summary>The picture as PNG bytes: integer epoch ticks (an epoch is a whole number), the legend beside the data, not on it.</summary>
    public static byte[] Png(IReadOnlyList<CurvePoint> points, string metricName = "validation Dice", int width = 900, int height = 500)
    {
        var plot = new ScottPlot.Plot();
        double[] epochs = points.Select(p => (double)p.Epoch).ToArray();
        var train = plot.Add.Scatter(epochs, points.Select(p => p.TrainLoss).ToArray());
        train.LegendText = "training loss";
        var withVal = points.Where(p => p.ValidationLoss is not null).ToList();
        if (withVal.Count > 0)
        {
            var val = plot.Add.Scatter(withVal.Select(p => (double)p.Epoch).ToArray(), withVal.Select(p => p.ValidationLoss!.Value).ToArray());
            val.LegendText = "validation loss";
        }
        var withMetric = points.Where(p => p.ValidationMetric is not null).ToList();
        if (withMetric.Count > 0)
        {
            var metric = plot.Add.Scatter(withMetric.Select(p => (double)p.Epoch).ToArray(), withMetric.Select(p => p.ValidationMetric!.Value).ToArray());
            metric.LegendText = metricName;
            metric.Axes.YAxis = plot.Axes.Right;
            plot.Axes.Right.Label.Text = metricName;
            plot.Axes.SetLimitsY(0, 1, plot.Axes.Right);
        }
        plot.XLabel("epoch");
        plot.YLabel("loss");
        plot.Title("training curves");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.ShowLegend(ScottPlot.Edge.Bottom);
        return plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
    }
}
