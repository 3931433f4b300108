using static TorchSharp.torch;

namespace UNetSharp.Tests.Models;

/// <summary>
/// libtorch's float32 convolution gradients agree with a float64 computation of the same convolution, in the shapes
/// our networks use (batches of 2–4, 1–32 channels, NCHW and channels-last). On AMD family 1Ah processors oneDNN's
/// AVX2/AVX-512 input-gradient kernels failed this in 11–39 of the 180 cases before <see cref="NativeKernelGuard"/>.
/// </summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public class ConvolutionKernelTests
{
    static Tensor ChannelsLast(Tensor x) => x.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2);

    [Fact]
    public void ConvolutionGradientsEqualADoublePrecisionReference()
    {
        using var scope = NewDisposeScope();
        manual_seed(1);
        var wrong = new List<string>();
        foreach (bool channelsLast in new[] { false, true })
        foreach (int n in new[] { 1, 2, 4 })
        foreach (int c in new[] { 1, 3, 4, 8, 16, 32 })
        foreach (int k in new[] { 1, 4, 8, 16, 32 })
        {
            using var inner = NewDisposeScope();
            var x0 = randn(n, c, 24, 24);
            var w0 = randn(k, c, 3, 3);
            var x = (channelsLast ? ChannelsLast(x0) : x0).requires_grad_(true);
            var w = w0.clone().requires_grad_(true);
            var y = nn.functional.conv2d(x, w, padding: new long[] { 1, 1 });
            var g = randn_like(y);
            var grads = autograd.grad(new[] { y }, new[] { x, w }, new[] { g });
            var x64 = x0.to(float64).requires_grad_(true);
            var w64 = w0.to(float64).requires_grad_(true);
            var y64 = nn.functional.conv2d(x64, w64, padding: new long[] { 1, 1 });
            var grads64 = autograd.grad(new[] { y64 }, new[] { x64, w64 }, new[] { g.contiguous().to(float64) });
            foreach (var (what, expected, actual) in new[] { ("output", y64, y), ("input gradient", grads64[0], grads[0]), ("weight gradient", grads64[1], grads[1]) })
            {
                double scale = expected.abs().max().item<double>();
                double diff = (expected - actual.to(float64)).abs().max().item<double>();
                if (diff > 1e-4 * scale) wrong.Add($"{what} n{n} c{c} k{k}{(channelsLast ? " channels-last" : "")}: {diff:E2} of {scale:E2}");
            }
        }
        Assert.True(wrong.Count == 0, $"{wrong.Count} of 540 wrong (guard: {NativeKernelGuard.AppliedLimit ?? "none"}):\n" + string.Join("\n", wrong.Take(10)));
    }

    const string Zen5 = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 26\nmodel\t\t: 2\nmodel name\t: AMD EPYC\n\nprocessor\t: 1\n";
    const string Zen4 = "processor\t: 0\nvendor_id\t: AuthenticAMD\ncpu family\t: 25\nmodel\t\t: 17\nmodel name\t: AMD EPYC 9654\n";
    const string Intel = "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\nmodel\t\t: 143\nmodel name\t: Intel(R) Xeon(R) Platinum 8480+\n";

    [Fact]
    public void OnlyAmdFamily1AhIsLimited()
    {
        Assert.Equal("AMD EPYC (family 1Ah)", NativeKernelGuard.AffectedProcessor(Zen5));
        Assert.Null(NativeKernelGuard.AffectedProcessor(Zen4));
        Assert.Null(NativeKernelGuard.AffectedProcessor(Intel));
        Assert.Null(NativeKernelGuard.AffectedProcessor(""));
    }
}
