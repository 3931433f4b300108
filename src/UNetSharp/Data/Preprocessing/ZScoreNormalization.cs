namespace UNetSharp.Data.Preprocessing;

/// <summary>
/// MRI: z-score. With <see cref="WithinNonZeroMask"/> the statistics come from the non-zero (body) voxels only and
/// the background stays 0, so the amount of air in the field of view does not change the scale (nnU-Net).
/// </summary>
public sealed class ZScoreNormalization(bool withinNonZeroMask = true) : IChannelNormalization
{
    public bool WithinNonZeroMask { get; } = withinNonZeroMask;

    public void Apply(Span<float> channel)
    {
        if (!WithinNonZeroMask)
        {
            var (m, s, _) = IntensityStatistics.MeanStd(channel);
            Shift(channel, m, s);
            return;
        }
        var mask = new bool[channel.Length];
        for (int i = 0; i < channel.Length; i++) mask[i] = channel[i] != 0;
        var (mean, std, n) = IntensityStatistics.MeanStd(channel, mask);
        if (n == 0) return; // empty image: nothing to normalise
        for (int i = 0; i < channel.Length; i++)
            channel[i] = mask[i] ? (float)((channel[i] - mean) / Math.Max(std, 1e-8)) : 0f;
    }

    internal static void Shift(Span<float> channel, double mean, double std)
    {
        double inv = 1 / Math.Max(std, 1e-8);
        for (int i = 0; i < channel.Length; i++) channel[i] = (float)((channel[i] - mean) * inv);
    }
}
