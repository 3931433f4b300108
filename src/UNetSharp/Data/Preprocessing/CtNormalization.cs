namespace UNetSharp.Data.Preprocessing;

/// <summary>
/// CT: clip to [Lower, Upper] (a HU window or the 0.5/99.5 foreground percentiles), then z-score. As in nnU-Net,
/// Mean/Std come from the foreground (typically over the whole training set) so HU stay comparable across cases;
/// when they are null the clipped channel's own statistics are used (a plain HU window).
/// </summary>
public sealed class CtNormalization : IChannelNormalization
{
    public CtNormalization(float lower, float upper, double? mean = null, double? std = null)
    {
        if (!(upper > lower)) throw new ArgumentException($"CT window upper {upper} must exceed lower {lower}");
        Lower = lower; Upper = upper; Mean = mean; Std = std;
    }

    public float Lower { get; }
    public float Upper { get; }
    public double? Mean { get; }
    public double? Std { get; }

    /// <summary>Window from the percentiles of foreground intensities; mean/std of the same (unclipped) values.</summary>
    public static CtNormalization FromForeground(ReadOnlySpan<float> foregroundValues, double lowerPercent = 0.5, double upperPercent = 99.5)
    {
        if (foregroundValues.IsEmpty) throw new UNetSharpException("CT normalisation: no foreground intensities to derive the window from");
        var sorted = foregroundValues.ToArray();
        Array.Sort(sorted);
        var lower = (float)IntensityStatistics.PercentileOfSorted(sorted, lowerPercent);
        var upper = (float)IntensityStatistics.PercentileOfSorted(sorted, upperPercent);
        if (!(upper > lower)) upper = lower + 1; // constant foreground: keep a valid window
        var (mean, std, _) = IntensityStatistics.MeanStd(foregroundValues);
        return new CtNormalization(lower, upper, mean, std);
    }

    public void Apply(Span<float> channel)
    {
        for (int i = 0; i < channel.Length; i++) channel[i] = Math.Clamp(channel[i], Lower, Upper);
        double mean, std;
        if (Mean is double m && Std is double s) (mean, std) = (m, s);
        else (mean, std, _) = IntensityStatistics.MeanStd(channel);
        ZScoreNormalization.Shift(channel, mean, std);
    }
}
