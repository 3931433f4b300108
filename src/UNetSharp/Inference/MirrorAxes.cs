namespace UNetSharp.Inference;

/// <summary>Mirroring test-time augmentation: every subset of the allowed spatial axes, the identity first.</summary>
public static class MirrorAxes
{
    /// <summary>
    /// All 2^k flip combinations of <paramref name="spatialAxes"/> (0-based spatial axes), as tensor dimensions of a
    /// [N, C, ...] batch. Empty axes give the identity only (no TTA).
    /// </summary>
    public static IReadOnlyList<long[]> Combinations(IReadOnlyList<int> spatialAxes, int dimensions)
    {
        var axes = spatialAxes.Distinct().OrderBy(a => a).ToArray();
        if (axes.Any(a => a < 0 || a >= dimensions))
            throw new ConfigurationException($"mirror axes must be spatial axes 0..{dimensions - 1}, got {string.Join(",", spatialAxes)}");
        return Enumerable.Range(0, 1 << axes.Length)
            .Select(mask => axes.Where((_, k) => (mask >> k & 1) == 1).Select(a => (long)a + 2).ToArray())
            .ToList();
    }
}
