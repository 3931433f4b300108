namespace UNetSharp.Training;

/// <summary>
/// A permutation of 0..count-1 that depends only on (seed, epoch): a resumed run reshuffles exactly as the original did,
/// with no random-number-generator state to save. SplitMix64 (Steele et al. 2014) driving a Fisher–Yates shuffle.
/// </summary>
public static class EpochShuffle
{
    public static int[] Permutation(long seed, int epoch, int count)
    {
        var order = Enumerable.Range(0, count).ToArray();
        ulong state = (ulong)seed ^ (0x9E3779B97F4A7C15UL * (ulong)(epoch + 1));
        for (int i = count - 1; i > 0; i--)
        {
            int j = (int)(Next(ref state) % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        return order;
    }

    /// <summary>One SplitMix64 step: advances the state and returns a well-mixed 64-bit value.</summary>
    public static ulong Next(ref ulong state)
    {
        ulong z = state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
