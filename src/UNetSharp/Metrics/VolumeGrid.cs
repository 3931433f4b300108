namespace UNetSharp.Metrics;

/// <summary>Argument checks shared by the metrics: C-order label maps over a 2D [H,W] or 3D [D,H,W] grid.</summary>
internal static class VolumeGrid
{
    /// <summary>Checks shape (2D/3D, positive sizes) and both map lengths; returns the voxel count.</summary>
    public static int CheckMaps(int predLength, int refLength, int[] shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Length is < 2 or > 3)
            throw new ArgumentException($"shape must have 2 ([H,W]) or 3 ([D,H,W]) axes, got {shape.Length}", nameof(shape));
        long voxels = 1;
        foreach (int size in shape)
        {
            if (size <= 0) throw new ArgumentException($"shape [{string.Join(",", shape)}] has a non-positive size", nameof(shape));
            voxels *= size;
        }
        // .NET arrays index with int; larger grids cannot be passed as one array anyway.
        if (voxels > Array.MaxLength) throw new ArgumentException($"shape [{string.Join(",", shape)}] has {voxels} voxels, more than one array can hold", nameof(shape));
        if (predLength != voxels)
            throw new ArgumentException($"prediction has {predLength} voxels but shape [{string.Join(",", shape)}] has {voxels}", "prediction");
        if (refLength != voxels)
            throw new ArgumentException($"reference has {refLength} voxels but shape [{string.Join(",", shape)}] has {voxels}", "reference");
        return (int)voxels;
    }

    /// <summary>Checks maps as <see cref="CheckMaps(int, int, int[])"/> and that spacing has one positive finite value per axis.</summary>
    public static int CheckMaps(int predLength, int refLength, int[] shape, double[] spacing)
    {
        int voxels = CheckMaps(predLength, refLength, shape);
        CheckSpacing(shape, spacing);
        return voxels;
    }

    public static void CheckSpacing(int[] shape, double[] spacing)
    {
        ArgumentNullException.ThrowIfNull(spacing);
        if (spacing.Length != shape.Length)
            throw new ArgumentException($"spacing has {spacing.Length} axes but shape has {shape.Length}", nameof(spacing));
        foreach (double s in spacing)
            if (!(s > 0) || double.IsInfinity(s))
                throw new ArgumentException($"spacing [{string.Join(",", spacing)}] must be positive and finite", nameof(spacing));
    }
}
