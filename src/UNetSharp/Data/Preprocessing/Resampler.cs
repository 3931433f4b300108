using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Data.Preprocessing;

/// <summary>
/// Resamples a case to a target voxel spacing, and predictions back to the input's own grid. Images: (tri/bi)linear
/// interpolation (align_corners = false, i.e. voxel centres map to voxel centres over the same physical extent).
/// Labels: nearest neighbour at voxel centres, so no class value is invented between neighbours. The new shape is
/// round(shape × spacing / target), at least 1; resampling back goes to the input's exact shape, so the input's
/// NIfTI header (affine, spacing) describes the result unchanged.
/// </summary>
public static class Resampler
{
    public static SegmentationCase ToSpacing(SegmentationCase c, double[] targetSpacing)
    {
        if (targetSpacing.Length != c.Dimensions) throw new ConfigurationException($"{c.Id}: target spacing has {targetSpacing.Length} axes, case has {c.Dimensions}");
        if (targetSpacing.Any(s => !(s > 0) || !double.IsFinite(s))) throw new ConfigurationException($"{c.Id}: target spacing must be positive");
        if (c.Spacing.Any(s => !(s > 0) || !double.IsFinite(s)))
            throw new DataFormatException(c.Id, $"voxel spacing [{string.Join(", ", c.Spacing)}] is zero, negative, infinite or NaN; cannot resample to the target spacing");
        var shape = c.Shape.Select((n, a) => Math.Max(1, (int)Math.Round(n * c.Spacing[a] / targetSpacing[a]))).ToArray();
        if (shape.SequenceEqual(c.Shape)) return new SegmentationCase(c.Id, c.Image, c.Channels, c.Shape, c.Label, (double[])targetSpacing.Clone());
        return ToShape(c, shape, (double[])targetSpacing.Clone());
    }

    /// <summary>Resamples to an explicit shape; <paramref name="spacing"/> is what the result reports.</summary>
    public static SegmentationCase ToShape(SegmentationCase c, int[] shape, double[] spacing)
    {
        using var scope = NewDisposeScope();
        var imageOut = Linear(c.Image, c.Channels, c.Shape, shape);
        int[]? labelOut = null;
        if (c.Label is not null)
        {
            using var label = Nearest(tensor(c.Label, [1, 1, .. c.Shape.Select(s => (long)s)]).to(ScalarType.Float32), shape);
            labelOut = label.to(ScalarType.Int32).data<int>().ToArray();
        }
        return new SegmentationCase(c.Id, imageOut, c.Channels, shape, labelOut, spacing);
    }

    /// <summary>(Tri/bi)linear resampling of C-order [channels, spatial...] values to another spatial shape (align_corners = false).</summary>
    public static float[] Linear(float[] values, int channels, IReadOnlyList<int> shape, IReadOnlyList<int> newShape)
    {
        if (shape.SequenceEqual(newShape)) return (float[])values.Clone();
        using var scope = NewDisposeScope();
        var mode = shape.Count == 3 ? InterpolationMode.Trilinear : InterpolationMode.Bilinear;
        var input = tensor(values, [1, channels, .. shape.Select(s => (long)s)]);
        return nn.functional.interpolate(input, newShape.Select(s => (long)s).ToArray(), mode: mode, align_corners: false).data<float>().ToArray();
    }

    /// <summary>A label map (class indices) resampled to another shape by nearest neighbour at voxel centres: every output value is an input value.</summary>
    public static byte[] NearestLabels(byte[] labels, IReadOnlyList<int> shape, IReadOnlyList<int> newShape)
    {
        if (shape.SequenceEqual(newShape)) return (byte[])labels.Clone();
        using var scope = NewDisposeScope();
        using var input = tensor(labels, [1, 1, .. shape.Select(s => (long)s)]).to(ScalarType.Float32);
        return Nearest(input, newShape).to(ScalarType.Byte).data<byte>().ToArray();
    }

    /// <summary>NearestExact samples at voxel centres (plain Nearest is shifted by half a voxel).</summary>
    static Tensor Nearest(Tensor input, IReadOnlyList<int> newShape) =>
        nn.functional.interpolate(input, newShape.Select(s => (long)s).ToArray(), mode: InterpolationMode.NearestExact);
}
