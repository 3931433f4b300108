namespace UNetSharp.Data;

/// <summary>
/// One image (2D or 3D) with its optional label map, in memory, independent of the file format it came from.
/// Arrays are C-order: <see cref="Image"/> is [C, (D,) H, W] and <see cref="Label"/> is [(D,) H, W]. For NIfTI the
/// file's x-fastest voxel order is exactly this C-order with spatial shape [z, y, x] (no transposition needed).
/// </summary>
public sealed class SegmentationCase
{
    public SegmentationCase(string id, float[] image, int channels, int[] shape, int[]? label, double[] spacing)
    {
        long voxels = shape.Aggregate(1L, (a, b) => a * b);
        if (shape.Length is < 2 or > 3 || shape.Any(s => s <= 0)) throw new ArgumentException($"{id}: spatial shape must be 2D or 3D with positive sizes");
        if (image.LongLength != voxels * channels) throw new ArgumentException($"{id}: image has {image.LongLength} values, expected {channels} x {voxels}");
        if (label != null && label.LongLength != voxels) throw new ArgumentException($"{id}: label has {label.LongLength} values, expected {voxels}");
        if (spacing.Length != shape.Length) throw new ArgumentException($"{id}: spacing has {spacing.Length} axes, shape has {shape.Length}");
        Id = id; Image = image; Channels = channels; Shape = shape; Label = label; Spacing = spacing;
    }

    /// <summary>Case identifier (file stem), used to name outputs.</summary>
    public string Id { get; }

    /// <summary>Intensities, [C, (D,) H, W].</summary>
    public float[] Image { get; }

    public int Channels { get; }

    /// <summary>Spatial shape, slowest axis first: [H, W] or [D, H, W].</summary>
    public int[] Shape { get; }

    /// <summary>Class index per voxel (0 = background), [(D,) H, W]; null for unlabelled cases.</summary>
    public int[]? Label { get; }

    /// <summary>Physical voxel size per spatial axis, same order as <see cref="Shape"/> (mm; 1 for plain images).</summary>
    public double[] Spacing { get; }

    public int Dimensions => Shape.Length;
    public long Voxels => Shape.Aggregate(1L, (a, b) => a * b);
}
