using System.Diagnostics;
using System.Text.Json.Serialization;
using TorchSharp;
using UNetSharp.IO;
using UNetSharp.Models;
using UNetSharp.Training.Losses;
using static TorchSharp.torch;

namespace UNetSharp.Experiments.Benchmarks;

/// <summary>One configuration whose training step is measured: a network, a patch (spatial, slowest axis first) and a batch.</summary>
public sealed record MemoryBenchmarkCase(string Name, NetworkConfig Network, IReadOnlyList<long> Patch, int Batch);

/// <summary>Estimate against measurement for one case (MiB = 2^20 bytes); raw = parameter state + batch × raw activations, estimate = calibrated.</summary>
public sealed record MemoryBenchmarkRow(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("architecture")] string Architecture,
    [property: JsonPropertyName("dims")] int Dimensions,
    [property: JsonPropertyName("widths")] string Widths,
    [property: JsonPropertyName("patch")] string Patch,
    [property: JsonPropertyName("batch")] int Batch,
    [property: JsonPropertyName("memory_efficient_path")] bool MemoryEfficientPath,
    [property: JsonPropertyName("parameters")] long Parameters,
    [property: JsonPropertyName("parameter_state_mib")] double ParameterStateMib,
    [property: JsonPropertyName("raw_activation_mib_per_sample")] double RawPerSampleMib,
    [property: JsonPropertyName("raw_estimate_mib")] double RawEstimateMib,
    [property: JsonPropertyName("estimate_mib")] double EstimateMib,
    [property: JsonPropertyName("measured_mib")] double MeasuredMib,
    [property: JsonPropertyName("measured_over_raw")] double MeasuredOverRaw,
    [property: JsonPropertyName("measured_over_estimate")] double MeasuredOverEstimate,
    [property: JsonPropertyName("implied_factor")] double ImpliedFactor,
    [property: JsonPropertyName("step_s")] double StepSeconds);

/// <summary>The calibration run: machine, threads, the factor in use and one row per case.</summary>
public sealed record MemoryBenchmarkReport(
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("efficient_path_factor")] double EfficientPathFactor,
    [property: JsonPropertyName("plain_path_factor")] double PlainPathFactor,
    [property: JsonPropertyName("step_overhead_mib")] double StepOverheadMib,
    [property: JsonPropertyName("rows")] IReadOnlyList<MemoryBenchmarkRow> Rows)
{
    public string ToJson() => ProjectJson.Serialize(this);
}

/// <summary>
/// Calibrates <see cref="TrainingMemory"/>: runs real training steps (train mode, every head, the default loss, backward,
/// Adam) and compares the estimate with the measured peak resident memory of the step above the process's baseline
/// (VmHWM after resetting it, minus VmRSS before the network was built, with the C heap trimmed first so freed memory of an
/// earlier case is not reused unseen). <c>implied_factor</c> = (measured − fixed) / (batch × raw activations per sample):
/// the calibration factor of that case if the estimate had no constant overhead.
/// </summary>
public static class MemoryBenchmark
{
    /// <summary>
    /// The default calibration set: the planner's 2D UNet# (depth 4, widths 32..512, batch norm, CGMs) at 256² batch 2 and
    /// 4, at 128² batch 8 (memory-efficient path) and 128² batch 2 (below 64K voxels: the plain path), and a hippocampus-like
    /// 3D UNet# (depth 3, widths 16..128, instance norm, 3 classes) at the planner's 40x56x40 patch, batch 2.
    /// </summary>
    public static IReadOnlyList<MemoryBenchmarkCase> DefaultCases()
    {
        var net2d = new NetworkConfig { Architecture = "unet#", Dimensions = 2, Cgm = true };
        var net3d = new NetworkConfig { Architecture = "unet#", Dimensions = 3, Depth = 3, Widths = NetworkConfig.DefaultWidths(3, 16), Norm = NormKind.Instance, Classes = 3, Cgm = true };
        return
        [
            new("2d-256-b2", net2d, [256, 256], 2),
            new("2d-256-b4", net2d, [256, 256], 4),
            new("2d-128-b8", net2d, [128, 128], 8),
            new("2d-128-b2-plain", net2d, [128, 128], 2),
            new("2d-192-b3", net2d, [192, 192], 3),
            new("2d-96-b4-plain", net2d, [96, 96], 4),
            new("3d-hippocampus-b2", net3d, [40, 56, 40], 2),
            new("3d-hippocampus-b4", net3d, [40, 56, 40], 4),
        ];
    }

    public static MemoryBenchmarkReport Run(IReadOnlyList<MemoryBenchmarkCase> cases, int steps = 2, IProgress<string>? progress = null)
    {
        if (steps < 1) throw new ArgumentOutOfRangeException(nameof(steps), "at least one measured step");
        WarmUpProcess();
        var rows = cases.Select(c => { progress?.Report($"{c.Name}: {steps} measured steps after one warm-up"); return Measure(c, steps); }).ToList();
        string machine = $"{Environment.ProcessorCount} logical cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (double)(1L << 30):F0} GiB, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}";
        return new MemoryBenchmarkReport(machine, torch.get_num_threads(), TrainingMemory.EfficientPathFactor, TrainingMemory.PlainPathFactor,
            TrainingMemory.StepOverheadBytes / (double)(1 << 20), rows);
    }

    /// <summary>One small training step first, so libtorch's one-time initialisation is not charged to the first case.</summary>
    static void WarmUpProcess() => Measure(new MemoryBenchmarkCase("warm-up", new NetworkConfig { Depth = 2, Widths = [4, 8, 16] }, [32, 32], 2), 1);

    static MemoryBenchmarkRow Measure(MemoryBenchmarkCase c, int steps)
    {
        var estimate = TrainingMemory.Estimate(c.Network, c.Patch, c.Batch);
        GC.Collect();
        GC.WaitForPendingFinalizers();
        ProcessMemory.TrimHeap();
        long baseline = ProcessMemory.Resident();
        long peak = 0;
        double seconds = double.MaxValue;
        using (var net = new SegmentationNetwork(c.Network))
        {
            net.train();
            using var optimizer = optim.Adam(net.parameters(), lr: 1e-3);
            var loss = new SegmentationLoss(new LossOptions(), c.Network.Classes);
            using var x = randn([c.Batch, c.Network.InChannels, .. c.Patch]);
            using var y = randint(0, Math.Max(2, c.Network.Classes), [c.Batch, .. c.Patch], dtype: ScalarType.Int64);
            void Step()
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                loss.Compute(net.forward(x), y).Total.backward();
                optimizer.step();
            }
            Step();   // warm-up: Adam's moments and the gradients exist from here on, as in every later step
            for (int i = 0; i < steps; i++)
            {
                ProcessMemory.ResetPeak();
                var clock = Stopwatch.StartNew();
                Step();
                seconds = Math.Min(seconds, clock.Elapsed.TotalSeconds);
                peak = Math.Max(peak, ProcessMemory.Peak());
            }
        }
        const double MiB = 1 << 20;
        long measured = peak - baseline;
        long state = estimate.FixedBytes - TrainingMemory.StepOverheadBytes;   // parameters, gradients, Adam
        long raw = state + c.Batch * estimate.ActivationBytesPerSample;
        return new MemoryBenchmarkRow(c.Name, c.Network.Architecture, c.Network.Dimensions, string.Join(",", c.Network.Widths), string.Join("x", c.Patch), c.Batch,
            estimate.MemoryEfficientPath, estimate.Parameters, Math.Round(state / MiB, 1), Math.Round(estimate.ActivationBytesPerSample / MiB, 1),
            Math.Round(raw / MiB, 1), Math.Round(estimate.TotalBytes / MiB, 1), Math.Round(measured / MiB, 1),
            Math.Round(measured / (double)raw, 3), Math.Round(measured / (double)estimate.TotalBytes, 3),
            Math.Round((measured - state) / (double)(c.Batch * estimate.ActivationBytesPerSample), 3), Math.Round(seconds, 2));
    }
}
