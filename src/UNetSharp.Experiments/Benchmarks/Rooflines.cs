using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Experiments.Benchmarks;

/// <summary>Reference throughputs measured in the same process: every model figure is reported as a ratio to these.</summary>
/// <param name="GemmGflops">fp32 matrix multiply (n³ · 2 FLOPs).</param>
/// <param name="ConvForwardGflops">A large 3x3 (2D) or 3x3x3 (3D) convolution, forward: the faster of NCHW/NCDHW and channels-last.</param>
/// <param name="ConvTrainGflops">The same convolution, forward + backward (3x the forward FLOPs).</param>
public sealed record Rooflines(double GemmGflops, double ConvForwardGflops, double ConvTrainGflops)
{
    /// <summary>Measures the three references; <paramref name="dimensions"/> picks a 2D or 3D convolution.</summary>
    public static Rooflines Measure(int dimensions = 2, int repeats = 3)
    {
        using var scope = NewDisposeScope();
        const int n = 2048;
        var a = randn(n, n);
        var b = randn(n, n);
        double gemm = 2.0 * n * n * n / Best(repeats, () => a.matmul(b)) / 1e9;

        const int channels = 64;
        var input = dimensions == 2 ? randn(4, channels, 256, 256) : randn(new long[] { 1, channels, 64, 64, 64 });
        var conv = dimensions == 2 ? (nn.Module<Tensor, Tensor>)nn.Conv2d(channels, channels, 3, padding: 1) : nn.Conv3d(channels, channels, 3, padding: 1);
        double voxels = input.numel() / channels;
        double flops = 2.0 * channels * channels * Math.Pow(3, dimensions) * voxels;
        double forward;
        using (no_grad()) forward = flops / Best(repeats, () => conv.forward(input)) / 1e9;
        var trainable = input.clone().requires_grad_(true);
        double train = 3 * flops / Best(repeats, () =>
        {
            var y = conv.forward(trainable);
            y.sum().backward();
            return y;
        }) / 1e9;
        {
            // The network runs channels-last (NetworkConfig.ChannelsLast), whose convolutions are faster than NCHW/NCDHW:
            // the reference is the better of the two layouts, so ratios are not flattered by a slow baseline.
            var ops = new UNetSharp.Models.Layers.SpatialOps(dimensions, UNetSharp.Models.NormKind.Batch);
            var nhwc = ops.ToChannelsLast(input);
            using (no_grad()) forward = Math.Max(forward, flops / Best(repeats, () => conv.forward(nhwc)) / 1e9);
            var trainableNhwc = ops.ToChannelsLast(input).requires_grad_(true);
            train = Math.Max(train, 3 * flops / Best(repeats, () =>
            {
                var y = conv.forward(trainableNhwc);
                y.sum().backward();
                return y;
            }) / 1e9);
        }
        return new Rooflines(gemm, forward, train);
    }

    /// <summary>Best wall time in seconds of <paramref name="repeats"/> runs after one warm-up.</summary>
    public static double Best(int repeats, Func<Tensor> run)
    {
        using (NewDisposeScope()) run();
        double best = double.MaxValue;
        for (int r = 0; r < repeats; r++)
        {
            using var scope = NewDisposeScope();
            var watch = Stopwatch.StartNew();
            run();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }
        return best;
    }
}
