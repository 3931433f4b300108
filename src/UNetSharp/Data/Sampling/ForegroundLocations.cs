using System.Runtime.CompilerServices;

namespace UNetSharp.Data.Sampling;

/// <summary>
/// Voxel indices of each foreground class of a case, for foreground oversampling. As in nnU-Net at most
/// <see cref="MaxPerClass"/> evenly spaced voxels are kept per class, which bounds memory for large structures.
/// Computed once per case instance and cached alongside it.
/// </summary>
public sealed class ForegroundLocations
{
    public const int MaxPerClass = 10_000;
    private static readonly ConditionalWeakTable<SegmentationCase, ForegroundLocations> Cache = new();

    private ForegroundLocations(IReadOnlyDictionary<int, long[]> byClass) => ByClass = byClass;

    /// <summary>Classes present (> 0) and sampled voxel indices (C-order into the label), ascending class order.</summary>
    public IReadOnlyDictionary<int, long[]> ByClass { get; }

    public static ForegroundLocations Of(SegmentationCase c) => Cache.GetValue(c, Compute);

    private static ForegroundLocations Compute(SegmentationCase c)
    {
        var label = c.Label ?? throw new UNetSharpException($"{c.Id}: case has no label; patch sampling for training needs one");
        var counts = new SortedDictionary<int, long>();
        foreach (var v in label) if (v > 0) counts[v] = counts.GetValueOrDefault(v) + 1;
        var byClass = counts.ToDictionary(kv => kv.Key, kv => new long[Math.Min(kv.Value, MaxPerClass)]);
        // Keep every k-th voxel of each class (k = ceil(count / MaxPerClass)), in one more pass.
        var stride = counts.ToDictionary(kv => kv.Key, kv => (kv.Value + MaxPerClass - 1) / MaxPerClass);
        var seen = counts.Keys.ToDictionary(k => k, _ => 0L);
        for (long i = 0; i < label.LongLength; i++)
        {
            int v = label[i];
            if (v <= 0) continue;
            long n = seen[v]++;
            if (n % stride[v] == 0 && n / stride[v] < byClass[v].Length) byClass[v][n / stride[v]] = i;
        }
        return new ForegroundLocations(byClass);
    }
}
