using UNetSharp.Data.Augmentation;

namespace UNetSharp.Data.Sampling;

/// <summary>How <see cref="PatchLoader"/> builds batches. Batch k of epoch e depends only on (Seed, e, k).</summary>
public sealed record LoaderOptions
{
    public required int[] PatchSize { get; init; }
    public int BatchSize { get; init; } = 2;

    /// <summary>Batches per epoch; nnU-Net uses a fixed 250 iterations instead of a pass over the data.</summary>
    public int BatchesPerEpoch { get; init; } = 250;

    public double ForegroundRatio { get; init; } = 1.0 / 3;
    public ImagePadding ImagePadding { get; init; } = ImagePadding.Zero;
    public int Seed { get; init; }

    /// <summary>Batches built ahead of the consumer (bounds memory).</summary>
    public int PrefetchDepth { get; init; } = 4;

    /// <summary>Background threads building batches.</summary>
    public int Workers { get; init; } = 1;

    public AugmentationPipeline? Augmentation { get; init; }

    internal void Validate()
    {
        if (BatchSize < 1) throw new ConfigurationException($"batch size {BatchSize} must be at least 1");
        if (BatchesPerEpoch < 1) throw new ConfigurationException($"batches per epoch {BatchesPerEpoch} must be at least 1");
        if (PrefetchDepth < 1) throw new ConfigurationException($"prefetch depth {PrefetchDepth} must be at least 1");
        if (Workers < 1) throw new ConfigurationException($"loader workers {Workers} must be at least 1");
    }
}

/// <summary>Where a loader is: the epoch and the index within it of the next batch. Save it with a checkpoint.</summary>
public readonly record struct LoaderPosition(int Epoch, int Batch)
{
    internal long Global(int batchesPerEpoch) => (long)Epoch * batchesPerEpoch + Batch;
    internal static LoaderPosition FromGlobal(long global, int batchesPerEpoch) => new((int)(global / batchesPerEpoch), (int)(global % batchesPerEpoch));
}
