namespace UNetSharp.Inference;

/// <summary>Settings of <see cref="SlidingWindowPredictor"/>; the defaults are nnU-Net's where it has one.</summary>
public sealed record SlidingWindowOptions
{
    /// <summary>Depth l to predict at (1..L; pruned below L). Null: the network's full depth.</summary>
    public int? Depth { get; init; }

    /// <summary>Tile size per spatial axis, each a multiple of 2^L; the image is padded to at least this size.
    /// Null: the whole padded image when every axis fits <see cref="MaxTile2D"/>/<see cref="MaxTile3D"/>, otherwise
    /// tiles of that size on the axes that do not fit.</summary>
    public IReadOnlyList<int>? TileSize { get; init; }

    /// <summary>Largest automatic tile per axis for 2D images.</summary>
    public int MaxTile2D { get; init; } = 512;

    /// <summary>Largest automatic tile per axis for 3D volumes (128³ keeps a full-width UNet# within a few GB).</summary>
    public int MaxTile3D { get; init; } = 128;

    /// <summary>Fraction of a tile shared with each neighbour, in [0, 1) (nnU-Net: 0.5).</summary>
    public double Overlap { get; init; } = 0.5;

    /// <summary>Tiles per forward pass.</summary>
    public int BatchSize { get; init; } = 1;

    /// <summary>Spatial axes (0-based, slowest first) mirrored for test-time augmentation. Null: every spatial axis
    /// (2D: 4 passes per tile, 3D: 8). Empty: no TTA.</summary>
    public IReadOnlyList<int>? MirrorAxes { get; init; }

    public TilePadding Padding { get; init; } = TilePadding.Constant;

    /// <summary>Value of <see cref="TilePadding.Constant"/> padding (0 = mean intensity after z-scoring).</summary>
    public double PaddingValue { get; init; }

    /// <summary>CGM gating; ignored for networks without CGMs.</summary>
    public GatingMode Gating { get; init; } = GatingMode.Hard;

    /// <summary>Threshold τ of the hard gate.</summary>
    public double GateThreshold { get; init; } = CgmGate.DefaultThreshold;

    public PresenceAggregation Presence { get; init; } = PresenceAggregation.ImageMax;

    /// <summary>Also return the (gated, blended) probabilities, [C, (D,) H, W]; costs C floats per voxel.</summary>
    public bool ReturnProbabilities { get; init; }
}
