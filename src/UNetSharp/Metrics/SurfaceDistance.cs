namespace UNetSharp.Metrics;

/// <summary>
/// Surface distances of one class, in physical units (voxel spacing), as MONAI computes them.
/// Surfaces: foreground voxels with a face neighbour (2·dims of them) that is background or outside the image.
/// d(a→B) is the Euclidean distance from voxel centre a to the nearest voxel centre of surface B (exact EDT).
/// <list type="bullet">
/// <item>HD95 = max(P95{d(a→B) : a ∈ A}, P95{d(b→A) : b ∈ B}), P95 with numpy's linear interpolation (<see cref="Percentile"/>), like MONAI's <c>compute_hausdorff_distance(percentile=95)</c>.</item>
/// <item>HD100 = the same with maxima (plain Hausdorff distance).</item>
/// <item>ASSD = (Σ_a d(a→B) + Σ_b d(b→A)) / (|A| + |B|), MONAI's symmetric average surface distance. medpy's
/// <c>assd</c> instead averages the two directed means; the two differ when |A| ≠ |B|.</item>
/// </list>
/// Undefined (all NaN) when either map lacks the class: nnU-Net does not compute these metrics, and callers count
/// such cases separately (<see cref="OneSideEmpty"/>, <see cref="BothEmpty"/>).
/// </summary>
public readonly record struct SurfaceDistance(double Hd95, double Hd100, double Assd, long PredictionSurfaceVoxels, long ReferenceSurfaceVoxels)
{
    public bool IsDefined => PredictionSurfaceVoxels > 0 && ReferenceSurfaceVoxels > 0;

    /// <summary>Exactly one of prediction and reference contains the class (Dice is 0, distances are undefined).</summary>
    public bool OneSideEmpty => (PredictionSurfaceVoxels == 0) != (ReferenceSurfaceVoxels == 0);

    public bool BothEmpty => PredictionSurfaceVoxels == 0 && ReferenceSurfaceVoxels == 0;

    /// <summary>Distances between the surfaces of class <paramref name="label"/> in two C-order label maps.</summary>
    /// <param name="shape">[H,W] or [D,H,W].</param>
    /// <param name="spacing">Voxel size per axis, same order as <paramref name="shape"/>.</param>
    public static SurfaceDistance Compute(ReadOnlySpan<int> prediction, ReadOnlySpan<int> reference, int label, int[] shape, double[] spacing)
    {
        VolumeGrid.CheckMaps(prediction.Length, reference.Length, shape, spacing);
        var crop = LabelCrop.Create(prediction, reference, label, shape);
        if (crop == null) return Undefined(0, 0);

        var predSurface = new byte[crop.Prediction.Length];
        var refSurface = new byte[crop.Prediction.Length];
        int predCount = crop.Surface(crop.Prediction, predSurface);
        int refCount = crop.Surface(crop.Reference, refSurface);
        if (predCount == 0 || refCount == 0) return Undefined(predCount, refCount);

        double[] cropSpacing = shape.Length == 3 ? spacing : [1.0, spacing[0], spacing[1]];
        var buffer = new double[crop.Prediction.Length]; // shared by both directions: the volume's largest allocation
        double[] predToRef = Directed(predSurface, predCount, refSurface, crop.Shape, cropSpacing, buffer);
        double[] refToPred = Directed(refSurface, refCount, predSurface, crop.Shape, cropSpacing, buffer);

        double assd = (Sum(predToRef) + Sum(refToPred)) / (predCount + refCount);
        double hd100 = Math.Max(predToRef.Max(), refToPred.Max());
        double hd95 = Math.Max(Percentile.LinearInPlace(predToRef, 95), Percentile.LinearInPlace(refToPred, 95));
        return new SurfaceDistance(hd95, hd100, assd, predCount, refCount);
    }

    static SurfaceDistance Undefined(long predCount, long refCount) => new(double.NaN, double.NaN, double.NaN, predCount, refCount);

    /// <summary>d(a→B) for every voxel a of surface <paramref name="from"/>, in index order.</summary>
    static double[] Directed(byte[] from, int fromCount, byte[] to, int[] shape, double[] spacing, double[] buffer)
    {
        for (int i = 0; i < buffer.Length; i++) buffer[i] = to[i] != 0 ? 0 : double.PositiveInfinity;
        DistanceTransform.TransformInPlace(buffer, shape, spacing);
        var distances = new double[fromCount];
        int n = 0;
        for (int i = 0; i < from.Length; i++)
            if (from[i] != 0) distances[n++] = Math.Sqrt(buffer[i]);
        return distances;
    }

    static double Sum(double[] values)
    {
        double sum = 0;
        foreach (double v in values) sum += v;
        return sum;
    }
}
