using BenchmarkDotNet.Attributes;
using TorchSharp;
using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Benchmarks;

/// <summary>Forward latency of the default UNet# (widths 32..512) at each pruned depth on one 256x256 image.</summary>
[MemoryDiagnoser]
public class PrunedForwardBenchmarks
{
    SegmentationNetwork net = null!;
    Tensor input = null!;

    [Params(1, 2, 3, 4)]
    public int Depth { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        net = new SegmentationNetwork(new NetworkConfig { InChannels = 1, Classes = 1, DeepSupervision = true });
        net.eval();
        input = randn(1, 1, 256, 256);
    }

    [Benchmark]
    public float Forward()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        return net.Forward(input, Depth).Logits[0, 0, 0, 0].item<float>();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        input.Dispose();
        net.Dispose();
    }
}
