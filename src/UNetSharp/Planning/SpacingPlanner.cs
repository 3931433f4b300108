using UNetSharp.Metrics;

namespace UNetSharp.Planning;

/// <summary>
/// nnU-Net's spacing decisions for volumes: the target voxel spacing every case is resampled to, the per-level pooling
/// strides of the network (do not pool an axis that is already ≥ 2× coarser than the finest, until the others catch
/// up) and the patch size as per-axis multiples of those strides. Spacings and shapes are slowest axis first
/// ([z, y, x] for NIfTI), as <see cref="Data.SegmentationCase"/>.
/// </summary>
public static class SpacingPlanner
{
    /// <summary>Data are strongly anisotropic when the coarsest median spacing is at least this many times the finest (nnU-Net: 3).</summary>
    public const double AnisotropyRatio = 3;

    /// <summary>An axis is pooled at a level only while its spacing is less than this many times the finest pooled axis' (nnU-Net: 2).</summary>
    public const double PoolRatio = 2;

    /// <summary>Smallest feature-map size an axis is preferably pooled to (nnU-Net: 4), so the deepest level keeps some context; when no axis is that large, any axis of ≥ 2 voxels is pooled.</summary>
    public const int MinFeatureSize = 4;

    /// <summary>
    /// The median spacing per axis; when the data are strongly anisotropic (coarsest median ≥ <see cref="AnisotropyRatio"/>×
    /// the finest), the coarse axis takes the 10th percentile of its spacings instead (nnU-Net), so thick-slice cases
    /// are not all down-sampled to the thickest slices, yet never finer than the other axes' target.
    /// </summary>
    /// <param name="spacings">One spacing per case, each checked with <see cref="IO.FiniteValues.RequireSpacing"/> against its file name.</param>
    public static double[] TargetSpacing(IReadOnlyList<(string File, double[] Spacing)> spacings)
    {
        if (spacings.Count == 0) throw new ArgumentException("no cases to plan a spacing from", nameof(spacings));
        int dims = spacings[0].Spacing.Length;
        foreach (var (file, spacing) in spacings)
        {
            IO.FiniteValues.RequireSpacing(spacing, file);
            if (spacing.Length != dims) throw new DataFormatException(file, $"has {spacing.Length} spatial axes, other cases have {dims}");
        }
        double[] Axis(int a) => spacings.Select(s => s.Spacing[a]).ToArray();
        var target = Enumerable.Range(0, dims).Select(a => Percentile.Linear(Axis(a), 50)).ToArray();
        int coarse = Array.IndexOf(target, target.Max());
        double finest = target.Min();
        if (target[coarse] >= AnisotropyRatio * finest)
        {
            double others = target.Where((_, a) => a != coarse).Max();
            target[coarse] = Math.Max(others, Percentile.Linear(Axis(coarse), 10));
        }
        return target;
    }

    /// <summary>The axis a 2D network slices volumes across: the coarsest of <paramref name="spacing"/> (the slowest of equal ones), as nnU-Net's 2d configuration.</summary>
    public static int SliceAxis(IReadOnlyList<double> spacing)
    {
        int axis = 0;
        for (int a = 1; a < spacing.Count; a++)
            if (spacing[a] > spacing[axis]) axis = a;
        return axis;
    }

    /// <summary>
    /// Largest median case, in voxels at the target spacing, that a CPU predicts at full resolution: 256³ ≈ 16.8 M voxels.
    /// A 512 × 512 × 200 CT at 0.78 mm in-plane is 52 M voxels, about 3× that: with the 3D defaults its tiles run to
    /// several TFLOP, minutes per scan on a few cores.
    /// </summary>
    public const long MaxCaseVoxels = 256L * 256 * 256;

    /// <summary>
    /// nnU-Net's "3d_lowres" answer for volumes too large for the CPU: while the median case at <paramref name="target"/>
    /// has more than <paramref name="maxVoxels"/> voxels, the finest axes' spacing doubles (in-plane first for thick-slice
    /// CT, so the slice axis is not thinned further). Returns the spacing to plan with and, when it changed, why.
    /// </summary>
    public static (double[] Spacing, string? Reason) FitCaseBudget(IReadOnlyList<double> target, IReadOnlyList<int> medianShape, IReadOnlyList<double> medianSpacing, long maxVoxels = MaxCaseVoxels)
    {
        if (maxVoxels < 1) throw new ConfigurationException($"the case voxel budget must be positive, got {maxVoxels}");
        var spacing = target.ToArray();
        long Voxels() => ResampledShape(medianShape, medianSpacing, spacing).Aggregate(1L, (a, b) => a * b);
        long before = Voxels();
        if (before <= maxVoxels) return (spacing, null);
        while (Voxels() > maxVoxels)
        {
            double finest = spacing.Min();
            double coarsest = spacing.Max();
            // double the finest axes; once all are equal, every axis
            for (int a = 0; a < spacing.Length; a++)
                if (spacing[a] < PoolRatio * finest && (spacing[a] < coarsest || finest == coarsest)) spacing[a] *= 2;
        }
        return (spacing, $"the median case is {before:N0} voxels at [{Format(target)}] mm, over the CPU budget of {maxVoxels:N0} voxels " +
            $"(256³), so it is planned at the coarser [{Format(spacing)}] mm ({Voxels():N0} voxels), as nnU-Net's 3d_lowres; predictions are resampled back to each input's own grid");
    }

    /// <summary>Shape of a case resampled from <paramref name="spacing"/> to <paramref name="target"/>: round(n · spacing / target), at least 1 (as <see cref="Data.Preprocessing.Resampler"/>).</summary>
    public static int[] ResampledShape(IReadOnlyList<int> shape, IReadOnlyList<double> spacing, IReadOnlyList<double> target) =>
        shape.Select((n, a) => Math.Max(1, (int)Math.Round(n * spacing[a] / target[a]))).ToArray();

    /// <summary>
    /// Per-level strides (1 or 2 per axis) for <paramref name="depth"/> down-samplings of a patch of <paramref name="size"/>
    /// voxels at <paramref name="spacing"/>: at each level an axis is pooled when its feature map stays at least
    /// <see cref="MinFeatureSize"/> and its current spacing is less than <see cref="PoolRatio"/>× the finest current spacing
    /// of the axes that can still be pooled. Pooling doubles an axis' spacing, so a thick-slice axis waits until the
    /// in-plane axes have caught up (0.8×0.8×5 mm: 1x2x2, 1x2x2, then 2x2x2).
    /// </summary>
    /// <param name="what">Names the data set (or file) in the error when no axis can be pooled at some level.</param>
    public static int[][] Strides(IReadOnlyList<double> spacing, IReadOnlyList<int> size, int depth, string what)
    {
        int dims = spacing.Count;
        var current = spacing.ToArray();
        var feature = size.Select(s => (double)s).ToArray();
        var strides = new int[depth][];
        for (int level = 0; level < depth; level++)
        {
            var poolable = Enumerable.Range(0, dims).Where(a => feature[a] >= 2 * MinFeatureSize).ToList();
            // Small patches (tests, tiny data sets) still get the requested depth while every pooled axis keeps ≥ 1 voxel.
            if (poolable.Count == 0) poolable = Enumerable.Range(0, dims).Where(a => feature[a] >= 2).ToList();
            if (poolable.Count == 0)
                throw new DataFormatException(what, $"the axes cannot be planned for depth {depth}: the patch {string.Join("x", size)} is too small to pool {level + 1} times " +
                    "(a pooled axis needs at least 2 voxels at its level); use a smaller depth or a larger patch size");
            double finest = poolable.Min(a => current[a]);
            strides[level] = new int[dims];
            for (int a = 0; a < dims; a++)
            {
                bool pool = poolable.Contains(a) && current[a] < PoolRatio * finest;
                strides[level][a] = pool ? 2 : 1;
                if (!pool) continue;
                current[a] *= 2;
                feature[a] /= 2;
            }
        }
        return strides;
    }

    /// <summary>
    /// Patch size: <paramref name="median"/> rounded up per axis to its multiple, capped at <paramref name="cap"/> per axis
    /// (rounded down to the multiple), then the largest axis shrunk by its multiple until the patch has at most
    /// <paramref name="maxVoxels"/> voxels.
    /// </summary>
    public static int[] PatchSize(IReadOnlyList<int> median, IReadOnlyList<long> multiples, int cap, long maxVoxels)
    {
        int dims = median.Count;
        var patch = new int[dims];
        for (int a = 0; a < dims; a++)
        {
            int m = (int)multiples[a];
            int capped = Math.Max(m, cap / m * m);
            patch[a] = Math.Max(m, Math.Min(capped, (median[a] + m - 1) / m * m));
        }
        while (patch.Aggregate(1L, (x, y) => x * y) > maxVoxels)
        {
            // Shrink the axis that is largest relative to its multiple's step and can still lose one step.
            var candidates = Enumerable.Range(0, dims).Where(a => patch[a] > multiples[a]).ToList();
            if (candidates.Count == 0) break;
            int largest = candidates.OrderByDescending(a => patch[a]).First();
            patch[largest] -= (int)multiples[largest];
        }
        return patch;
    }

    static string Format(IEnumerable<double> values) =>
        string.Join(", ", values.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));
}
