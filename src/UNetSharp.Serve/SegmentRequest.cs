namespace UNetSharp.Serve;

/// <summary>Output format of a label map: the input's own, or a named one.</summary>
public enum LabelFormat { Same, Png, Tiff, Nifti }

/// <summary>What one `POST /v1/segment` asks for besides the image.</summary>
public sealed record SegmentRequest
{
    /// <summary>Depth l to predict at; null: the service's default.</summary>
    public int? Depth { get; init; }

    /// <summary>Mirroring test-time augmentation (2D: 4 passes, 3D: 8).</summary>
    public bool Tta { get; init; }

    public LabelFormat Format { get; init; } = LabelFormat.Same;
}

/// <summary>The label map file and what it took to make it.</summary>
public sealed record SegmentResult(byte[] Body, string ContentType, string FileName, int[] Shape, int Depth, bool Tta, long ForegroundVoxels, int Tiles, double InferenceMs);
