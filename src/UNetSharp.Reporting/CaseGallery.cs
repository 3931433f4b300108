using System.Globalization;
using UNetSharp.Data;
using UNetSharp.Overlays;

namespace UNetSharp.Reporting;

/// <summary>Best, median and worst cases by mean Dice over classes, with overlays (3D: the slice with the most reference
/// foreground, its index and axis named).</summary>
public static class CaseGallery
{
    /// <summary>The best, median and worst of the scored items (NaN scores left out), each once.</summary>
    public static IReadOnlyList<(string Rank, T Item, double Score)> Pick<T>(IEnumerable<(T Item, double Score)> scored)
    {
        var sorted = scored.Where(s => !double.IsNaN(s.Score)).OrderByDescending(s => s.Score).ToList();
        if (sorted.Count == 0) return [];
        var picks = new List<(string, int)> { ("best", 0), ("median", sorted.Count / 2), ("worst", sorted.Count - 1) };
        return picks.DistinctBy(p => p.Item2).Select(p => (p.Item1, sorted[p.Item2].Item, sorted[p.Item2].Score)).ToList();
    }

    /// <summary>Adds the overlays of <paramref name="picks"/> to the report, with the legend.</summary>
    public static void Add(HtmlReport report, IEnumerable<(string Rank, SegmentationCase Case, int[] Prediction, double Dice)> picks)
    {
        report.OverlayLegend();
        foreach (var (rank, c, prediction, dice) in picks)
        {
            var (png, where) = Overlay(c.Image, c.Shape, prediction, c.Label);
            report.Png(png, $"{rank} case {c.Id}", $"{rank}: {c.Id}, Dice {dice.ToString("F3", CultureInfo.InvariantCulture)}{where}");
        }
    }

    /// <summary>A 2D overlay of a 2D or 3D case (first channel of the image; null image: a black background) and where it was cut.</summary>
    public static (byte[] Png, string Where) Overlay(float[]? image, int[] shape, int[] prediction, int[]? reference)
    {
        int h = shape[^2], w = shape[^1], plane = h * w;
        int slice = shape.Length == 3 ? OverlayImage.BusiestSlice<int>(reference ?? prediction, plane) : 0;
        var background = image is null ? new float[plane] : image.AsSpan(slice * plane, plane);
        var png = OverlayImage.Encode(background, h, w, prediction.AsSpan(slice * plane, plane),
            reference is null ? default : reference.AsSpan(slice * plane, plane));
        string where = shape.Length == 3 ? $" (slice {slice} of {shape[0]} along axis 0, the first array axis)" : "";
        return (png, where);
    }
}
