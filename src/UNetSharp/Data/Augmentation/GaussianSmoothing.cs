using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Data.Augmentation;

/// <summary>Separable Gaussian filter over the spatial axes of [N, C, (D,) H, W] float tensors (one 1D pass per axis).</summary>
public static class GaussianSmoothing
{
    /// <param name="replicateBorder">Extend edge values (no darkening at borders); otherwise zero padding.</param>
    public static Tensor Smooth(Tensor input, double sigma, bool replicateBorder = true)
    {
        if (sigma <= 0) return input.alias();
        int spatial = (int)input.dim() - 2;
        long channels = input.shape[1];
        int radius = Math.Max(1, (int)Math.Ceiling(3 * sigma));
        var taps = Enumerable.Range(-radius, 2 * radius + 1).Select(i => Math.Exp(-0.5 * i * i / (sigma * sigma))).ToArray();
        double total = taps.Sum();
        using var kernel1d = tensor(taps.Select(t => (float)(t / total)).ToArray());
        var x = input;
        for (int axis = 0; axis < spatial; axis++)
        {
            var shape = Enumerable.Repeat(1L, spatial).ToArray();
            shape[axis] = 2 * radius + 1;
            using var weight = kernel1d.reshape([1, 1, .. shape]).expand([channels, 1, .. shape]).contiguous();
            var pad = new long[2 * spatial];
            pad[2 * (spatial - 1 - axis)] = radius; // F.pad lists the last axis first
            pad[2 * (spatial - 1 - axis) + 1] = radius;
            using var padded = nn.functional.pad(x, pad, replicateBorder ? PaddingModes.Replicate : PaddingModes.Constant);
            var next = spatial == 3
                ? nn.functional.conv3d(padded, weight, groups: channels)
                : nn.functional.conv2d(padded, weight, groups: channels);
            if (!ReferenceEquals(x, input)) x.Dispose();
            x = next;
        }
        return x;
    }
}
