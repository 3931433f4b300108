namespace UNetSharp.Reporting;

/// <summary>One point of a pruning curve: a depth's latency and accuracy.</summary>
public sealed record PruningPoint(int Depth, double SecondsPerCase, double Dice);

/// <summary>Accuracy against latency for each pruned depth, one line per network (ScottPlot), the legend outside the data.</summary>
public static class PruningCurve
{
    public static byte[] Png(IReadOnlyList<(string Name, IReadOnlyList<PruningPoint> Points)> series, string title = "pruning: Dice vs time per case",
        int width = 800, int height = 450)
    {
        var plot = new ScottPlot.Plot();
        foreach (var (name, points) in series)
        {
            var ordered = points.Where(p => double.IsFinite(p.Dice) && double.IsFinite(p.SecondsPerCase)).OrderBy(p => p.Depth).ToList();
            if (ordered.Count == 0) continue;
            var line = plot.Add.Scatter(ordered.Select(p => p.SecondsPerCase * 1000).ToArray(), ordered.Select(p => p.Dice).ToArray());
            line.LegendText = name;
            line.MarkerSize = 8;
            foreach (var p in ordered)
            {
                var label = plot.Add.Text($"L{p.Depth}", p.SecondsPerCase * 1000, p.Dice);
                label.LabelFontSize = 11;
                label.OffsetY = -4;
            }
        }
        plot.XLabel("milliseconds per case (prediction)");
        plot.YLabel("mean validation Dice");
        plot.Title(title);
        plot.ShowLegend(ScottPlot.Edge.Right);
        return plot.GetImageBytes(width, height, ScottPlot.ImageFormat.Png);
    }
}
