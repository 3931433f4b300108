using UNetSharp.Data;

namespace UNetSharp.Tests.Data.Sampling;

internal static class SyntheticCases
{
    /// <summary>Image value = flat voxel index + 1 (so every voxel is identifiable); label all background.</summary>
    public static SegmentationCase Indexed(string id, int[] shape, int channels = 1)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var image = Enumerable.Range(0, (int)(n * channels)).Select(i => (float)(i % n + 1 + 1000 * (i / n))).ToArray();
        return new SegmentationCase(id, image, channels, shape, new int[n], [.. shape.Select(_ => 1.0)]);
    }

    /// <summary>Random case with a label of <paramref name="classes"/> small cubes/squares.</summary>
    public static SegmentationCase Random(string id, int[] shape, int seed, int channels = 1)
    {
        var random = new Random(seed);
        long n = shape.Aggregate(1L, (a, b) => a * b);
        var image = new float[n * channels];
        for (long i = 0; i < image.LongLength; i++) image[i] = (float)random.NextDouble();
        var label = new int[n];
        for (long i = 0; i < n; i++) label[i] = image[i] > 0.95 ? 1 + (int)(i % 2) : 0;
        return new SegmentationCase(id, image, channels, shape, label, [.. shape.Select(_ => 1.0)]);
    }
}
