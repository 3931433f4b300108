namespace UNetSharp.Instances;

/// <summary>How class probabilities become instances.</summary>
public enum InstanceDecoderKind
{
    /// <summary>Marker-controlled watershed: interior components seed a flood of the foreground.</summary>
    Watershed,

    /// <summary>Baseline: every face-connected component of the foreground is one instance (touching objects merge).</summary>
    ConnectedComponents,
}

/// <summary>The surface the watershed floods: its basins are the instances, its ridges the cuts between touching ones.</summary>
public enum WatershedSurface
{
    /// <summary>1 − p(interior): the cut runs where the network sees the least interior (the predicted border).</summary>
    Interior,

    /// <summary>Minus the distance to the background of the foreground mask: the cut runs along the neck between two round objects.</summary>
    Distance,
}

/// <summary>Settings of <see cref="InstanceDecoder"/>; sizes are in voxels.</summary>
public sealed record InstanceDecodingOptions
{
    public InstanceDecoderKind Method { get; init; } = InstanceDecoderKind.Watershed;

    /// <summary>A voxel is foreground when its probability of not being background, 1 − p(background), exceeds this.</summary>
    public double ForegroundThreshold { get; init; } = 0.5;

    /// <summary>A foreground voxel whose interior probability exceeds this belongs to a marker.</summary>
    public double MarkerThreshold { get; init; } = 0.5;

    /// <summary>Markers smaller than this are dropped (their voxels are flooded from a neighbour instead).</summary>
    public int MinMarkerSize { get; init; } = 3;

    /// <summary>Instances smaller than this become background (specks).</summary>
    public int MinSize { get; init; } = 10;

    /// <summary>Background pockets enclosed by one instance become that instance.</summary>
    public bool FillHoles { get; init; } = true;

    /// <summary>What the watershed floods (watershed only).</summary>
    public WatershedSurface Surface { get; init; } = WatershedSurface.Interior;

    public void Validate()
    {
        if (!(ForegroundThreshold is >= 0 and < 1)) throw new ConfigurationException($"instance foreground threshold must be in [0, 1), got {ForegroundThreshold}");
        if (!(MarkerThreshold is >= 0 and < 1)) throw new ConfigurationException($"instance marker threshold must be in [0, 1), got {MarkerThreshold}");
        if (MinMarkerSize < 1) throw new ConfigurationException($"instance minimum marker size must be at least 1 voxel, got {MinMarkerSize}");
        if (MinSize < 1) throw new ConfigurationException($"instance minimum size must be at least 1 voxel, got {MinSize}");
    }
}
