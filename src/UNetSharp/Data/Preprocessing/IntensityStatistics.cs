namespace UNetSharp.Data.Preprocessing;

/// <summary>Mean, standard deviation and percentiles of intensity values, computed in double for stability.</summary>
public static class IntensityStatistics
{
    /// <summary>Mean and population standard deviation of the values where <paramref name="mask"/> is true (all values when null).</summary>
    public static (double Mean, double Std, long Count) MeanStd(ReadOnlySpan<float> values, ReadOnlySpan<bool> mask = default)
    {
        bool masked = !mask.IsEmpty;
        if (masked && mask.Length != values.Length) throw new ArgumentException("mask and values differ in length");
        double sum = 0, sumSq = 0;
        long n = 0;
        for (int i = 0; i < values.Length; i++)
        {
            if (masked && !mask[i]) continue;
            double v = values[i];
            sum += v; sumSq += v * v; n++;
        }
        if (n == 0) return (0, 0, 0);
        double mean = sum / n;
        return (mean, Math.Sqrt(Math.Max(0, sumSq / n - mean * mean)), n);
    }

    /// <summary>Percentile (0..100) by linear interpolation between order statistics, like numpy's default.</summary>
    public static double Percentile(ReadOnlySpan<float> values, double percent)
    {
        if (values.IsEmpty) throw new ArgumentException("no values to take a percentile of");
        var sorted = values.ToArray();
        Array.Sort(sorted);
        return PercentileOfSorted(sorted, percent);
    }

    public static double PercentileOfSorted(float[] sorted, double percent)
    {
        if (percent is < 0 or > 100) throw new ArgumentOutOfRangeException(nameof(percent));
        double rank = percent / 100 * (sorted.Length - 1);
        int lo = (int)Math.Floor(rank), hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (rank - lo) * (sorted[hi] - (double)sorted[lo]);
    }

    /// <summary>Values of one channel where the label is foreground (> 0); CT statistics come from these.</summary>
    public static float[] ForegroundValues(SegmentationCase c, int channel)
    {
        if (c.Label is null) throw new UNetSharpException($"{c.Id}: foreground intensities need a label");
        var image = ChannelSpan(c, channel);
        var result = new List<float>();
        for (int i = 0; i < image.Length; i++) if (c.Label[i] > 0) result.Add(image[i]);
        return result.ToArray();
    }

    internal static Span<float> ChannelSpan(SegmentationCase c, int channel) =>
        c.Image.AsSpan(checked((int)(channel * c.Voxels)), checked((int)c.Voxels));
}
