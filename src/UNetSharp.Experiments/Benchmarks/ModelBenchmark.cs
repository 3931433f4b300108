using System.Text.Json;
using UNetSharp.IO;
using System.Text.Json.Serialization;
using TorchSharp;
using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Experiments.Benchmarks;

/// <summary>Settings of `unetsharp bench model`.</summary>
public sealed record ModelBenchmarkOptions
{
    public IReadOnlyList<string> Architectures { get; init; } = new[] { "unet", "unet++", "unet3+", "unet#" };
    public int Dimensions { get; init; } = 2;
    public IReadOnlyList<long> Size { get; init; } = new long[] { 256, 256 };
    public int Batch { get; init; } = 1;
    public int Repeats { get; init; } = 3;
    public int InChannels { get; init; } = 1;
    public int Classes { get; init; } = 1;
    /// <summary>Null: the planner's default, 4 in 2D and 3 in 3D.</summary>
    public int? Depth { get; init; }
    /// <summary>Null: the planner's defaults, 32·2^level in 2D and 16·2^level in 3D.</summary>
    public IReadOnlyList<int>? Widths { get; init; }
    /// <summary>Null: the planner's default, batch norm in 2D and instance norm in 3D.</summary>
    public NormKind? Norm { get; init; }
    /// <summary>Also time forward + backward (training step without the optimiser) per depth.</summary>
    public bool Training { get; init; } = true;
}

/// <summary>One architecture at one depth.</summary>
public sealed record ModelBenchmarkRow(
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("depth")] int Depth,
    [property: JsonPropertyName("params")] long Parameters,
    [property: JsonPropertyName("forward_gflop")] double ForwardGflop,
    [property: JsonPropertyName("forward_s")] double ForwardSeconds,
    [property: JsonPropertyName("forward_gflops")] double ForwardGflops,
    [property: JsonPropertyName("forward_vs_conv")] double ForwardVsConv,
    [property: JsonPropertyName("forward_vs_gemm")] double ForwardVsGemm,
    [property: JsonPropertyName("forward_peak_rss_mb")] double ForwardPeakRssMb,
    [property: JsonPropertyName("speedup_vs_full")] double SpeedupVsFull,
    [property: JsonPropertyName("flop_ratio_vs_full")] double FlopRatioVsFull,
    [property: JsonPropertyName("train_s")] double? TrainSeconds,
    [property: JsonPropertyName("train_gflops")] double? TrainGflops,
    [property: JsonPropertyName("train_vs_conv")] double? TrainVsConv,
    [property: JsonPropertyName("train_peak_rss_mb")] double? TrainPeakRssMb);

/// <summary>The whole run: machine, references and rows; written as JSON.</summary>
public sealed record ModelBenchmarkReport(
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("size")] IReadOnlyList<long> Size,
    [property: JsonPropertyName("batch")] int Batch,
    [property: JsonPropertyName("gemm_gflops")] double GemmGflops,
    [property: JsonPropertyName("conv_forward_gflops")] double ConvForwardGflops,
    [property: JsonPropertyName("conv_train_gflops")] double ConvTrainGflops,
    [property: JsonPropertyName("rows")] IReadOnlyList<ModelBenchmarkRow> Rows)
{
    public string ToJson() => ProjectJson.Serialize(this);
}

/// <summary>
/// Times each architecture at each prunable depth: forward (eval mode, main head only) and forward + backward
/// (train mode, every head), with achieved GFLOP/s against same-process GEMM and 3x3-convolution references
/// and the peak RSS of each measurement.
/// </summary>
public static class ModelBenchmark
{
    public static ModelBenchmarkReport Run(ModelBenchmarkOptions options, IProgress<string>? progress = null)
    {
        progress?.Report("measuring GEMM and convolution references");
        var roof = Rooflines.Measure(options.Dimensions, options.Repeats);
        var rows = new List<ModelBenchmarkRow>();
        int depth = options.Depth ?? (options.Dimensions == 2 ? 4 : 3);
        foreach (var arch in options.Architectures)
        {
            var config = new NetworkConfig
            {
                Architecture = arch, Dimensions = options.Dimensions, InChannels = options.InChannels, Classes = options.Classes,
                Depth = depth, Widths = options.Widths ?? NetworkConfig.DefaultWidths(depth, options.Dimensions == 2 ? 32 : 16), DeepSupervision = true,
                Norm = options.Norm ?? (options.Dimensions == 2 ? NormKind.Batch : NormKind.Instance),
            };
            config.ValidateInputSize(options.Size);
            using var net = new SegmentationNetwork(config);
            var shape = new long[] { options.Batch, options.InChannels }.Concat(options.Size).ToArray();
            var costs = NetworkCost.PerDepth(net, options.Size);
            var timed = new List<(DepthCost Cost, double Fwd, double FwdRss, double? Train, double? TrainRss)>();
            foreach (var cost in costs.Reverse())
            {
                progress?.Report($"{net.Topology.Name} L{cost.Depth}: forward");
                using var scope = NewDisposeScope();
                var x = randn(shape);
                net.eval();
                ProcessMemory.ResetPeak();
                double fwd;
                using (no_grad()) fwd = Rooflines.Best(options.Repeats, () => net.Forward(x, cost.Depth).Logits);
                double fwdRss = ProcessMemory.Peak() / 1048576.0;
                double? train = null, trainRss = null;
                if (options.Training)
                {
                    progress?.Report($"{net.Topology.Name} L{cost.Depth}: forward + backward");
                    net.train();
                    ProcessMemory.ResetPeak();
                    train = Rooflines.Best(options.Repeats, () =>
                    {
                        var output = net.Forward(x, cost.Depth, allHeads: true);
                        var loss = stack(output.Heads.Select(h => h.Logits.mean()).ToArray()).sum();
                        loss.backward();
                        return loss;
                    });
                    trainRss = ProcessMemory.Peak() / 1048576.0;
                    net.zero_grad();
                }
                timed.Add((cost, fwd, fwdRss, train, trainRss));
            }
            var full = timed[0];
            foreach (var (cost, fwd, fwdRss, train, trainRss) in timed.AsEnumerable().Reverse())
            {
                double gflop = cost.Flops * options.Batch / 1e9;
                double trainGflop = 3 * NetworkCost.Flops(config, net.Topology, cost.Depth, options.Size, allHeads: true) * options.Batch / 1e9;
                rows.Add(new ModelBenchmarkRow(net.Topology.Name, cost.Depth, cost.Parameters, Math.Round(gflop, 3), Math.Round(fwd, 4),
                    Math.Round(gflop / fwd, 1), Math.Round(gflop / fwd / roof.ConvForwardGflops, 3), Math.Round(gflop / fwd / roof.GemmGflops, 3),
                    Math.Round(fwdRss), Math.Round(full.Fwd / fwd, 2), Math.Round(full.Cost.Flops / cost.Flops, 2),
                    train is null ? null : Math.Round(train.Value, 4), train is null ? null : Math.Round(trainGflop / train.Value, 1),
                    train is null ? null : Math.Round(trainGflop / train.Value / roof.ConvTrainGflops, 3), trainRss is null ? null : Math.Round(trainRss.Value)));
            }
        }
        return new ModelBenchmarkReport(MachineDescription(), torch.get_num_threads(), options.Size, options.Batch,
            Math.Round(roof.GemmGflops, 1), Math.Round(roof.ConvForwardGflops, 1), Math.Round(roof.ConvTrainGflops, 1), rows);
    }

    /// <summary>CPU model, logical cores and memory, from /proc where available.</summary>
    public static string MachineDescription()
    {
        string cpu = "unknown CPU";
        try { cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? cpu; }
        catch (IOException) { }
        double memory = GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30);
        return $"{cpu}, {Environment.ProcessorCount} logical cores, {memory:F0} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
    }
}
