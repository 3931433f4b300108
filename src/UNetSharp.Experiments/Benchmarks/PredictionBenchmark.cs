using System.Diagnostics;
using TorchSharp;
using UNetSharp.Inference;
using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Experiments.Benchmarks;

/// <summary>Forward latency at one depth: <paramref name="Nodes"/> node blocks ran; times in milliseconds over <paramref name="Runs"/> timed passes.</summary>
public sealed record DepthLatency(int Depth, int Nodes, int Batch, int Runs, double MedianMs, double MinMs, double MeanMs);

/// <summary>
/// Times single forward passes per depth (no_grad, eval mode, random input of a fixed size): the pure network
/// latency that pruning changes, without tiling or TTA. Warm-up passes are discarded (first-call allocation and
/// kernel selection).
/// </summary>
public static class PredictionBenchmark
{
    /// <param name="spatialSize">Input size, e.g. [512, 512]; must be a multiple of 2^L.</param>
    /// <param name="depths">Depths to time; null: every prunable depth.</param>
    public static IReadOnlyList<DepthLatency> MeasureDepths(SegmentationNetwork network, IReadOnlyList<long> spatialSize,
        IEnumerable<int>? depths = null, int batch = 1, int warmup = 1, int runs = 5)
    {
        if (runs < 1 || warmup < 0 || batch < 1) throw new ConfigurationException($"benchmark needs runs ≥ 1, warm-up ≥ 0, batch ≥ 1 (got {runs}, {warmup}, {batch})");
        network.Config.ValidateInputSize(spatialSize);
        network.eval();
        using var scope = NewDisposeScope();
        using var input = randn(new[] { (long)batch, network.Config.InChannels }.Concat(spatialSize).ToArray(), generator: new Generator(1));
        return (depths ?? network.PrunableDepths).Select(depth => Measure(network, input, depth, warmup, runs)).ToList();
    }

    /// <summary>Times forward passes of <paramref name="input"/> [N, C, ...] at one depth.</summary>
    public static DepthLatency Measure(SegmentationNetwork network, Tensor input, int depth, int warmup, int runs)
    {
        using var noGrad = no_grad();
        var times = new double[runs];
        for (int i = -warmup; i < runs; i++)
        {
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope()) network.Forward(input, depth);
            if (i >= 0) times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        double median = runs % 2 == 1 ? times[runs / 2] : (times[runs / 2 - 1] + times[runs / 2]) / 2;
        return new DepthLatency(depth, network.LastExecutedNodeCount, (int)input.shape[0], runs, median, times[0], times.Average());
    }
}
