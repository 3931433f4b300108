using static TorchSharp.torch;

namespace UNetSharp.Tests.Data.Augmentation;

/// <summary>
/// Smooth test images whose label is the image itself thresholded at 0.5: a sum of Gaussian bumps. Any
/// misalignment of a spatial transform between image and label then shows up as voxels where they disagree.
/// </summary>
internal static class BlobImages
{
    public static float[] Values(int[] shape, int blobs, double sigma, int seed)
    {
        var random = new Random(seed);
        var centres = Enumerable.Range(0, blobs).Select(_ => shape.Select(n => n * (0.25 + 0.5 * random.NextDouble())).ToArray()).ToArray();
        long voxels = shape.Aggregate(1L, (a, b) => a * b);
        var values = new float[voxels];
        var coord = new int[shape.Length];
        for (long i = 0; i < voxels; i++)
        {
            long rest = i;
            for (int a = shape.Length - 1; a >= 0; a--) { coord[a] = (int)(rest % shape[a]); rest /= shape[a]; }
            double sum = 0;
            foreach (var c in centres)
            {
                double r2 = 0;
                for (int a = 0; a < shape.Length; a++) r2 += (coord[a] - c[a]) * (coord[a] - c[a]);
                sum += Math.Exp(-r2 / (2 * sigma * sigma));
            }
            values[i] = (float)sum;
        }
        return values;
    }

    /// <summary>Image [1, ...shape] and label [...shape] = image &gt; 0.5.</summary>
    public static (Tensor Image, Tensor Label) Pair(int[] shape, int blobs = 3, double sigma = 8, int seed = 1)
    {
        long[] dims = [.. shape.Select(s => (long)s)];
        var image = tensor(Values(shape, blobs, sigma, seed), [1, .. dims]);
        return (image, Threshold(image));
    }

    public static Tensor Threshold(Tensor image) => image[0].gt(0.5).to(ScalarType.Int64);

    /// <summary>Fraction of voxels where label equals the thresholded image.</summary>
    public static double Agreement(Tensor image, Tensor label)
    {
        using var scope = NewDisposeScope();
        return Threshold(image).eq(label).to(ScalarType.Float64).mean().item<double>();
    }

    /// <summary>Same shape, dtype and values.</summary>
    public static bool Same(Tensor a, Tensor b) => a.dtype == b.dtype && a.shape.SequenceEqual(b.shape) && a.eq(b).all().item<bool>();

    public static double FractionChanged(Tensor before, Tensor after)
    {
        using var scope = NewDisposeScope();
        return before.ne(after).to(ScalarType.Float64).mean().item<double>();
    }
}
