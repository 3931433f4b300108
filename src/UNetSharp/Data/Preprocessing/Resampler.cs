using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Data.Preprocessing;

/// <summary>
/// Resamples a case to a target voxel spacing: (tri/bi)linear for the image, nearest for the label so no class
/// values are invented between neighbours. The new shape is round(shape x spacing / target).
/// </summary>
public static class Resampler
{
    public static SegmentationCase ToSpacing(SegmentationCase c, double[] targetSpacing)
    {
        if (targetSpacing.Length != c.Dimensions) throw new ConfigurationException($"{c.Id}: target spacing has {targetSpacing.Length} axes, case has {c.Dimensions}");
        if (targetSpacing.Any(s => !(s > 0))) throw new ConfigurationException($"{c.Id}: target spacing must be positive");
        var shape = c.Shape.Select((n, a) => Math.Max(1, (int)Math.Round(n * c.Spacing[a] / targetSpacing[a]))).ToArray();
        if (shape.SequenceEqual(c.Shape)) return new SegmentationCase(c.Id, c.Image, c.Channels, c.Shape, c.Label, (double[])targetSpacing.Clone());
        return ToShape(c, shape, (double[])targetSpacing.Clone());
    }

    /// <summary>Resamples to an explicit shape; <paramref name="spacing"/> is what the result reports.</summary>
    public static SegmentationCase ToShape(SegmentationCase c, int[] shape, double[] spacing)
    {
        using var scope = NewDisposeScope();
        var size = shape.Select(s => (long)s).ToArray();
        long[] imageDims = [1, c.Channels, .. c.Shape.Select(s => (long)s)];
        var mode = c.Dimensions == 3 ? InterpolationMode.Trilinear : InterpolationMode.Bilinear;
        var image = nn.functional.interpolate(tensor(c.Image, imageDims), size, mode: mode, align_corners: false);
        var imageOut = image.data<float>().ToArray();

        int[]? labelOut = null;
        if (c.Label is not null)
        {
            long[] labelDims = [1, 1, .. c.Shape.Select(s => (long)s)];
            // NearestExact samples at voxel centres (plain Nearest is shifted by half a voxel).
            var label = nn.functional.interpolate(tensor(c.Label, labelDims).to(ScalarType.Float32), size, mode: InterpolationMode.NearestExact);
            labelOut = label.to(ScalarType.Int32).data<int>().ToArray();
        }
        return new SegmentationCase(c.Id, imageOut, c.Channels, shape, labelOut, spacing);
    }
}
