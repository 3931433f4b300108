using TorchSharp;
using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Models;

/// <summary>Small networks and synthetic data that keep the tests fast (widths 4–8, 32 px).</summary>
public static class TinyNets
{
    public static NetworkConfig Config(string arch = "unet#", int dims = 2, int depth = 3, int classes = 1, bool cgm = false, int inChannels = 1) => new()
    {
        Architecture = arch,
        Dimensions = dims,
        Depth = depth,
        Widths = Enumerable.Range(0, depth + 1).Select(i => 4 << Math.Min(i, 1)).ToArray(),
        InChannels = inChannels,
        Classes = classes,
        Cgm = cgm,
        DeepSupervision = true,
    };

    /// <summary>Disks (2D) or balls (3D) of random centre and radius, image = mask + noise; deterministic per seed.</summary>
    public static (Tensor Images, Tensor Masks) Blobs(int count, int dims, int size, int seed)
    {
        var rng = new Random(seed);
        long[] shape = dims == 2 ? new long[] { count, 1, size, size } : new long[] { count, 1, size, size, size };
        var masks = zeros(shape);
        var coords = dims == 2
            ? meshgrid(new[] { arange(size), arange(size) }, "ij")
            : meshgrid(new[] { arange(size), arange(size), arange(size) }, "ij");
        for (int n = 0; n < count; n++)
        {
            double r = size * (0.15 + 0.1 * rng.NextDouble());
            var d2 = zeros(coords[0].shape);
            foreach (var c in coords) d2 += (c - (r + rng.NextDouble() * (size - 2 * r))).pow(2);
            masks[n, 0] = (d2 <= r * r).to_type(ScalarType.Float32);
        }
        var gen = new Generator((ulong)seed);
        var images = masks * 2 - 1 + 0.3 * randn(shape, generator: gen);
        return (images, masks);
    }
}
