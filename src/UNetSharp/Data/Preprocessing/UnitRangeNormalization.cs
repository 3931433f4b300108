namespace UNetSharp.Data.Preprocessing;

/// <summary>
/// Microscopy/EM: scale to [0, 1]. With a <see cref="TypeMax"/> (255 for 8-bit, 65535 for 16-bit) every image is
/// divided by the same constant, which keeps brightness differences between images; without it each channel is
/// min-max scaled (a constant channel becomes 0).
/// </summary>
public sealed class UnitRangeNormalization(float? typeMax = null) : IChannelNormalization
{
    public float? TypeMax { get; } = typeMax is null or > 0 ? typeMax : throw new ArgumentOutOfRangeException(nameof(typeMax));

    public void Apply(Span<float> channel)
    {
        if (channel.IsEmpty) return;
        if (TypeMax is float max)
        {
            for (int i = 0; i < channel.Length; i++) channel[i] /= max;
            return;
        }
        float lo = float.PositiveInfinity, hi = float.NegativeInfinity;
        foreach (var v in channel) { lo = Math.Min(lo, v); hi = Math.Max(hi, v); }
        float range = hi - lo;
        for (int i = 0; i < channel.Length; i++) channel[i] = range > 0 ? (channel[i] - lo) / range : 0f;
    }
}
