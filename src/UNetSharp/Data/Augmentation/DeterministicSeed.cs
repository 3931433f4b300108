namespace UNetSharp.Data.Augmentation;

/// <summary>
/// Derives independent seeds from (seed, epoch, batch, sample, ...) with SplitMix64 mixing, so each unit of work
/// gets its own reproducible stream no matter which thread runs it or in which order.
/// </summary>
public static class DeterministicSeed
{
    public static int Mix(params ReadOnlySpan<long> parts)
    {
        ulong h = 0x9E3779B97F4A7C15UL;
        foreach (var p in parts) h = SplitMix(h ^ (ulong)p);
        return (int)(h >> 33);
    }

    private static ulong SplitMix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A torch generator seeded from <paramref name="random"/>; dispose it after use.</summary>
    public static TorchSharp.torch.Generator TorchGenerator(Random random) =>
        new((ulong)random.NextInt64(), TorchSharp.torch.CPU);
}
