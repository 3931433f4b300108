using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace UNetSharp.Models.Layers;

/// <summary>
/// The dimension-specific pieces (2D or 3D) behind one code path: convolutions, normalisation, pooling and
/// (bi/tri)linear resizing with align_corners = true, as the UNet# authors' nn.Upsample. Knows the network's
/// per-axis level scales (products of strides), so pooling and level sizes follow anisotropic strides.
/// </summary>
public sealed class SpatialOps
{
    readonly long[][]? levelScales;

    /// <param name="dimensions">2 or 3.</param>
    /// <param name="norm">Normalisation layer kind.</param>
    /// <param name="levelScales">Per level 0..L, input voxels per level voxel on each axis (see <see cref="NetworkConfig.LevelScale"/>); null: 2^level on every axis.</param>
    public SpatialOps(int dimensions, NormKind norm, IEnumerable<long[]>? levelScales = null)
    {
        if (dimensions is not (2 or 3)) throw new ConfigurationException($"dimensions must be 2 or 3, got {dimensions}");
        Dimensions = dimensions;
        Norm = norm;
        this.levelScales = levelScales?.ToArray();
    }

    /// <summary>The operations of a network configuration (its dimensions, norm and strides).</summary>
    public static SpatialOps For(NetworkConfig config) =>
        new(config.Dimensions, config.Norm, Enumerable.Range(0, config.Depth + 1).Select(config.LevelScale));

    /// <summary>Input voxels per voxel of a level, per axis.</summary>
    public long[] Scale(int level) => levelScales?[level] ?? Enumerable.Repeat(1L << level, Dimensions).ToArray();

    /// <summary>Per-axis factor between two levels (deeper over shallower): the pooling kernel down, the up-sampling factor up.</summary>
    public long[] Factor(int shallowLevel, int deepLevel)
    {
        long[] deep = Scale(deepLevel), shallow = Scale(shallowLevel);
        return deep.Select((d, a) => d / shallow[a]).ToArray();
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

    /// <summary>
    /// Applies a norm made by <see cref="Normalisation"/>. Instance norm of a channels-last activation runs as group norm
    /// with one group per channel (the same function: per sample and channel, biased variance, the same eps and affine
    /// parameters), because libtorch's instance norm returns NCHW/NCDHW memory and would drop the rest of the network off
    /// the channels-last path; group norm keeps the layout. Other inputs and norms: the module itself.
    /// </summary>
    public static Tensor Normalise(nn.Module<Tensor, Tensor> norm, Tensor x)
    {
        if (norm is TorchSharp.Modules.NormBase instance and not TorchSharp.Modules.BatchNorm && !x.is_contiguous() && IsChannelsLast(x))
            return F.group_norm(x, x.shape[1], instance.weight, instance.bias, instance.eps);
        return norm.forward(x);
    }

    /// <summary>True for NHWC / NDHWC memory order.</summary>
    public static bool IsChannelsLast(Tensor x)
    {
        if (x.dim() is not (4 or 5)) return false;
        long[] shape = x.shape, stride = x.stride();
        if (shape[1] != 1 && stride[1] != 1) return false;
        long expected = shape[1];
        for (int d = shape.Length - 1; d >= 2; d--)
        {
            if (shape[d] != 1 && stride[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    /// <summary>Max-pooling from one level to a deeper one in one step, kernel = stride = the per-axis factor (UNet 3+ pools shallow encoder nodes straight to the target level).</summary>
    public Tensor MaxPool(Tensor x, int fromLevel, int toLevel)
    {
        var k = Factor(fromLevel, toLevel);
        return Dimensions == 2 ? F.max_pool2d(x, k, k) : F.max_pool3d(x, k, k);
    }

    /// <summary>Bilinear/trilinear resize to an exact spatial size, align_corners = true.</summary>
    public Tensor Resize(Tensor x, long[] size) =>
        F.interpolate(x, size, mode: Dimensions == 2 ? InterpolationMode.Bilinear : InterpolationMode.Trilinear, align_corners: true);

    /// <summary>The weight and bias parameters of a module made by <see cref="Conv"/>.</summary>
    public static (Tensor Weight, Tensor? Bias) WeightAndBias(nn.Module<Tensor, Tensor> conv) => conv switch
    {
        TorchSharp.Modules.Conv2d c => (c.weight!, c.bias),
        TorchSharp.Modules.Conv3d c => (c.weight!, c.bias),
        _ => throw new ArgumentException($"not a convolution made by SpatialOps.Conv: {conv.GetType().Name}", nameof(conv)),
    };

    /// <summary>Functional form of <see cref="Conv"/>: same-padded convolution with the given weight [out, in, k, ...] and optional bias.</summary>
    public Tensor Convolve(Tensor x, Tensor weight, Tensor? bias)
    {
        long pad = weight.shape[2] / 2;
        return Dimensions == 2
            ? F.conv2d(x, weight, bias, padding: new[] { pad, pad })
            : F.conv3d(x, weight, bias, padding: new[] { pad, pad, pad });
    }

    /// <summary>The adjoint of <see cref="Convolve"/> without bias: maps [N, out, ...] back to [N, in, ...] (the input gradient).</summary>
    public Tensor ConvolveTranspose(Tensor y, Tensor weight)
    {
        long pad = weight.shape[2] / 2;
        return Dimensions == 2
            ? F.conv_transpose2d(y, weight, padding: new[] { pad, pad })
            : F.conv_transpose3d(y, weight, padding: new[] { pad, pad, pad });
    }

    /// <summary>Resamples a node's features from its level to another: max-pool down, resize up, the same level as is.</summary>
    public Tensor Resample(Tensor x, int fromLevel, int toLevel, long[] fullSize) =>
        fromLevel == toLevel ? x
        : fromLevel < toLevel ? MaxPool(x, fromLevel, toLevel)
        : Resize(x, LevelSize(fullSize, toLevel));

    /// <summary>
    /// The same tensor values in channels-last memory order (NHWC / NDHWC strides, shape unchanged). Convolutions,
    /// norms, pooling, resizing and concatenation keep that order, and on CPU the oneDNN convolutions and the
    /// vectorised resize kernels are several times faster on it than on NCHW (no layout reorder per call).
    /// </summary>
    public Tensor ToChannelsLast(Tensor x)
    {
        // permute → contiguous gives NHWC memory; as_strided views it with the original shape. (permute back would
        // not do for one channel: contiguous() then returns the NCHW tensor itself, whose strides say "NCHW".)
        using var nhwc = (Dimensions == 2 ? x.permute(0, 2, 3, 1) : x.permute(0, 2, 3, 4, 1)).contiguous();
        long[] shape = x.shape, strides = new long[shape.Length];
        long stride = 1;
        strides[1] = stride;
        stride *= shape[1];
        for (int d = shape.Length - 1; d >= 2; d--)
        {
            strides[d] = stride;
            stride *= shape[d];
        }
        strides[0] = stride;
        return nhwc.as_strided(shape, strides, nhwc.storage_offset());
    }

    /// <summary>Global max over the spatial axes: [N, C, ...] → [N, C].</summary>
    public Tensor GlobalMax(Tensor x) => x.amax(Enumerable.Range(2, Dimensions).Select(d => (long)d).ToArray());

    /// <summary>Spatial size of a level: the input size divided by the level's scale per axis (2^level by default).</summary>
    public long[] LevelSize(long[] inputSpatial, int level)
    {
        var scale = Scale(level);
        return inputSpatial.Select((s, a) => s / scale[a]).ToArray();
    }
}
