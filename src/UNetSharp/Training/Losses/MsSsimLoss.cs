using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace UNetSharp.Training.Losses;

/// <summary>
/// 1 − MS-SSIM (Wang, Simoncelli, Bovik 2003) between probabilities and targets, 2D or 3D, the structural term of UNet 3+'s
/// hybrid loss. Gaussian window 11, σ = 1.5 (separable, "valid" filtering), C1 = 0.01², C2 = 0.03² (data range 1), scale
/// weights 0.0448, 0.2856, 0.3001, 0.2363, 0.1333 over an average-pool pyramid.
/// Scales: as many as the image allows, i.e. while the coarsest scale is still ≥ the window on every axis (at most 5; a
/// 32 px image has 2, 176 px has 5); the used weights are renormalised to sum 1. An image smaller than 11 gets one scale and
/// the largest odd window that fits. Each scale's contrast-structure (and the last scale's full SSIM) is mapped to
/// (x + 1) / 2 ∈ [0, 1] before the fractional powers, as the `normalize` option of pytorch-msssim that UNet 3+'s loss
/// adapts: it keeps the product real and differentiable where a negative cs would give NaN.
/// Computed per sample and foreground channel, then averaged.
/// </summary>
public static class MsSsimLoss
{
    public const int Window = 11;
    public const double Sigma = 1.5, C1 = 0.01 * 0.01, C2 = 0.03 * 0.03;
    static readonly double[] ScaleWeights = { 0.0448, 0.2856, 0.3001, 0.2363, 0.1333 };

    /// <summary>Number of scales for a spatial size (the smallest axis decides).</summary>
    public static int Scales(IReadOnlyList<long> spatial)
    {
        long size = spatial.Min();
        int scales = 1;
        while (scales < ScaleWeights.Length && (size >> scales) >= Window) scales++;
        return scales;
    }

    /// <summary>The renormalised weights used for a number of scales.</summary>
    public static double[] WeightsFor(int scales)
    {
        double sum = ScaleWeights.Take(scales).Sum();
        return ScaleWeights.Take(scales).Select(w => w / sum).ToArray();
    }

    /// <summary>Logits [N, C, ...], labels int64 [N, ...]; background excluded for C ≥ 2.</summary>
    public static Tensor Compute(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        int classes = (int)logits.shape[1];
        var p = LossTargets.Foreground(LossTargets.Probabilities(logits));
        var y = LossTargets.Foreground(LossTargets.Dense(labels, classes, logits.dtype));
        return (1 - MsSsim(p, y).mean()).MoveToOuterDisposeScope();
    }

    /// <summary>MS-SSIM per sample and channel, [N, C], of two images [N, C, ...] with values in [0, 1].</summary>
    public static Tensor MsSsim(Tensor x, Tensor y)
    {
        using var scope = NewDisposeScope();
        int dims = (int)x.dim() - 2;
        long[] spatial = x.shape.Skip(2).ToArray();
        int scales = Scales(spatial);
        double[] weights = WeightsFor(scales);
        int window = (int)Math.Min(Window, spatial.Min() % 2 == 1 ? spatial.Min() : spatial.Min() - 1);
        var kernel = GaussianKernel(window, x.dtype);
        Tensor result = ones(x.shape[0], x.shape[1], dtype: x.dtype);
        for (int s = 0; s < scales; s++)
        {
            if (s > 0)
            {
                x = AvgPool(x, dims);
                y = AvgPool(y, dims);
            }
            var (ssim, cs) = SsimAndCs(x, y, kernel, dims);
            var term = (s == scales - 1 ? ssim : cs) + 1;
            result = result * (term / 2).pow(weights[s]);
        }
        return result.MoveToOuterDisposeScope();
    }

    static Tensor AvgPool(Tensor x, int dims) => dims == 2 ? F.avg_pool2d(x, 2, 2) : F.avg_pool3d(x, new long[] { 2, 2, 2 }, new long[] { 2, 2, 2 });

    /// <summary>Mean SSIM and mean contrast-structure over the valid window positions, [N, C] each.</summary>
    static (Tensor Ssim, Tensor Cs) SsimAndCs(Tensor x, Tensor y, Tensor kernel, int dims)
    {
        Tensor Blur(Tensor t) => Filter(t, kernel, dims);
        var muX = Blur(x);
        var muY = Blur(y);
        var sigmaXx = Blur(x * x) - muX * muX;
        var sigmaYy = Blur(y * y) - muY * muY;
        var sigmaXy = Blur(x * y) - muX * muY;
        var cs = (2 * sigmaXy + C2) / (sigmaXx + sigmaYy + C2);
        var luminance = (2 * muX * muY + C1) / (muX * muX + muY * muY + C1);
        return ((luminance * cs).flatten(2).mean(new long[] { 2 }), cs.flatten(2).mean(new long[] { 2 }));
    }

    /// <summary>Separable Gaussian filtering of every channel on its own, without padding.</summary>
    static Tensor Filter(Tensor t, Tensor kernel, int dims)
    {
        long channels = t.shape[1];
        int k = (int)kernel.shape[0];
        for (int axis = 0; axis < dims; axis++)
        {
            long[] shape = Enumerable.Repeat(1L, dims + 2).ToArray();
            shape[2 + axis] = k;
            long[] perChannel = Enumerable.Repeat(1L, dims + 2).ToArray();
            perChannel[0] = channels;
            var weight = kernel.reshape(shape).repeat(perChannel);
            t = dims == 2 ? F.conv2d(t, weight, groups: channels) : F.conv3d(t, weight, groups: channels);
        }
        return t;
    }

    static Tensor GaussianKernel(int size, ScalarType dtype)
    {
        var x = arange(size, dtype: ScalarType.Float64) - (size - 1) / 2.0;
        var g = (-(x * x) / (2 * Sigma * Sigma)).exp();
        return (g / g.sum()).to_type(dtype);
    }
}
