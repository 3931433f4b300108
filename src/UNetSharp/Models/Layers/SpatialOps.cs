using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace UNetSharp.Models.Layers;

/// <summary>
/// The dimension-specific pieces (2D or 3D) behind one code path: convolutions, normalisation, pooling and
/// (bi/tri)linear resizing with align_corners = true, as the UNet# authors' nn.Upsample.
/// </summary>
public sealed class SpatialOps
{
    public SpatialOps(int dimensions, NormKind norm)
    {
        if (dimensions is not (2 or 3)) throw new ConfigurationException($"dimensions must be 2 or 3, got {dimensions}");
        Dimensions = dimensions;
        Norm = norm;
    }

    public int Dimensions { get; }
    public NormKind Norm { get; }

    /// <summary>A same-padded convolution with bias (odd kernel).</summary>
    public nn.Module<Tensor, Tensor> Conv(int input, int output, int kernel) => Dimensions == 2
        ? nn.Conv2d(input, output, kernel, padding: kernel / 2)
        : nn.Conv3d(input, output, kernel, padding: kernel / 2);

    /// <summary>The configured normalisation with learnable affine parameters.</summary>
    public nn.Module<Tensor, Tensor> Normalisation(int channels) => (Dimensions, Norm) switch
    {
        (2, NormKind.Batch) => nn.BatchNorm2d(channels),
        (3, NormKind.Batch) => nn.BatchNorm3d(channels),
        (2, _) => nn.InstanceNorm2d(channels, affine: true),
        _ => nn.InstanceNorm3d(channels, affine: true),
    };

    /// <summary>Max-pooling by 2^k in one step (UNet 3+ pools shallow encoder nodes straight to the target level).</summary>
    public Tensor MaxPool(Tensor x, int log2Factor)
    {
        long k = 1L << log2Factor;
        return Dimensions == 2 ? F.max_pool2d(x, k, k) : F.max_pool3d(x, new[] { k, k, k }, new[] { k, k, k });
    }

    /// <summary>Bilinear/trilinear resize to an exact spatial size, align_corners = true.</summary>
    public Tensor Resize(Tensor x, long[] size) =>
        F.interpolate(x, size, mode: Dimensions == 2 ? InterpolationMode.Bilinear : InterpolationMode.Trilinear, align_corners: true);

    /// <summary>Global max over the spatial axes: [N, C, ...] → [N, C].</summary>
    public Tensor GlobalMax(Tensor x) => x.amax(Enumerable.Range(2, Dimensions).Select(d => (long)d).ToArray());

    /// <summary>Spatial size of a level: the input size divided by 2^level.</summary>
    public static long[] LevelSize(long[] inputSpatial, int level) => inputSpatial.Select(s => s >> level).ToArray();
}
