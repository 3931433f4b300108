using System.Diagnostics;
using System.Globalization;
using System.Text;
using UNetSharp.Experiments.Benchmarks;
using UNetSharp.Onnx;
using UNetSharp.Inference;
using UNetSharp.Prediction;
using UNetSharp.IO;
using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Experiments.Benchmarks;

/// <summary>The engines a deployment benchmark compares.</summary>
public enum DeploymentEngine
{
    /// <summary>TorchSharp, batch norms folded.</summary>
    Torch,

    /// <summary>ONNX Runtime CPU execution provider, float32.</summary>
    Onnx,

    /// <summary>ONNX Runtime CPU execution provider, int8 QDQ (<see cref="OnnxQuantizer"/>).</summary>
    OnnxInt8,
}

public sealed record DeploymentBenchmarkOptions
{
    public IReadOnlyList<DeploymentEngine> Engines { get; init; } = [DeploymentEngine.Torch, DeploymentEngine.Onnx, DeploymentEngine.OnnxInt8];
    public IReadOnlyList<int> Sizes { get; init; } = [256, 512];
    public IReadOnlyList<int> Depths { get; init; } = [1, 2, 3, 4];
    public IReadOnlyList<int> Threads { get; init; } = [1, 2];
    public int Repeats { get; init; } = 3;

    /// <summary>A trained run to benchmark (its network, and its training cases for int8 calibration); null: a UNet#
    /// with the paper's widths (32..512, depth 4, CGMs) and random weights, calibrated on noise.</summary>
    public string? Model { get; init; }

    public void Validate()
    {
        if (Engines.Count == 0) throw new ConfigurationException("no engine to benchmark");
        if (Sizes.Any(s => s < 16 || s % 16 != 0)) throw new ConfigurationException($"image sizes must be multiples of 16, got {string.Join(",", Sizes)}");
        if (Depths.Any(d => d < 1)) throw new ConfigurationException($"depths must be at least 1, got {string.Join(",", Depths)}");
        if (Threads.Count == 0 || Threads.Any(t => t < 1)) throw new ConfigurationException($"thread counts must be at least 1, got {string.Join(",", Threads)}");
        if (Repeats < 1) throw new ConfigurationException($"repeats must be at least 1, got {Repeats}");
    }
}

/// <summary>One measurement: a single image of size² through one engine at one depth with one thread count.</summary>
public sealed record DeploymentRow(string Engine, int Size, int Depth, int Threads, double MedianMs, long ModelBytes, double PeakRssMb, int IntegerConvolutions);

/// <summary>Speed-ups at one size, depth and thread count (null where an engine was not run).</summary>
public sealed record DeploymentRatio(int Size, int Depth, int Threads, double? OnnxOverTorch, double? Int8OverOnnx);

public sealed record DeploymentBenchmarkReport(string Machine, string Network, double LoadAverage, IReadOnlyList<DeploymentRow> Rows, IReadOnlyList<DeploymentRatio> Ratios)
{
    public string ToJson() => ProjectJson.Serialize(this);

    public string ToCsv()
    {
        var csv = new StringBuilder("engine,size,depth,threads,median_ms,model_bytes,peak_rss_mb,integer_convolutions\n");
        foreach (var r in Rows)
            csv.AppendLine(string.Create(CultureInfo.InvariantCulture, $"{r.Engine},{r.Size},{r.Depth},{r.Threads},{r.MedianMs:F2},{r.ModelBytes},{r.PeakRssMb:F0},{r.IntegerConvolutions}"));
        return csv.ToString();
    }
}

/// <summary>
/// Deployment latency (`bench predict --engine`): one image of each size through each engine at each depth and thread
/// count, all through <see cref="IPatchPredictor.Run"/> (the interface prediction uses), median of the timed runs after one
/// warm-up; with the model file size (ONNX bytes; TorchSharp: the folded float32 parameters) and the peak RSS of that cell.
/// </summary>
public static class DeploymentBenchmark
{
    public static DeploymentBenchmarkReport Run(DeploymentBenchmarkOptions options, IProgress<string>? status = null)
    {
        options.Validate();
        double load = LoadAverage();
        using var model = options.Model is null ? null : PredictionModel.Load(options.Model, foldBatchNorm: false);
        SegmentationNetwork network = model?.Network ?? RandomNetwork();
        try
        {
            using var folded = BatchNormFolding.FoldedCopy(network);
            var rows = new List<DeploymentRow>();
            int previousThreads = InferenceThreads.Current;
            try
            {
                foreach (int depth in options.Depths.Where(network.PrunableDepths.Contains))
                {
                    byte[]? fp32 = options.Engines.Any(e => e != DeploymentEngine.Torch) ? OnnxExporter.ToBytes(network, depth, new OnnxExportOptions { Plan = model?.Plan }) : null;
                    byte[]? int8 = null;
                    string? int8Path = null;
                    if (options.Engines.Contains(DeploymentEngine.OnnxInt8))
                    {
                        status?.Report($"L{depth}: int8 calibration");
                        int8Path = Path.Combine(Path.GetTempPath(), $"unetsharp-bench-int8-{Guid.NewGuid():N}.onnx");
                        OnnxExporter.ExportInt8(network, depth, int8Path, Calibration(model, network), new OnnxExportOptions { Plan = model?.Plan });
                        int8 = File.ReadAllBytes(int8Path);
                    }
                    try
                    {
                        int integerConvs = int8Path is null ? 0 : IntegerConvolutions(int8Path);
                        foreach (int size in options.Sizes)
                            foreach (int threads in options.Threads)
                                foreach (var engine in options.Engines)
                                {
                                    status?.Report($"{engine} L{depth} {size}² {threads} thread(s)");
                                    rows.Add(Measure(engine, folded, network, depth, size, threads, options.Repeats, fp32, int8, integerConvs));
                                }
                    }
                    finally
                    {
                        if (int8Path is not null) File.Delete(int8Path);
                    }
                }
            }
            finally
            {
                InferenceThreads.Set(previousThreads);
            }
            var ratios = rows.GroupBy(r => (r.Size, r.Depth, r.Threads)).Select(g =>
            {
                double? Ms(DeploymentEngine e) => g.FirstOrDefault(r => r.Engine == Name(e))?.MedianMs;
                double? torchMs = Ms(DeploymentEngine.Torch), onnxMs = Ms(DeploymentEngine.Onnx), int8Ms = Ms(DeploymentEngine.OnnxInt8);
                return new DeploymentRatio(g.Key.Size, g.Key.Depth, g.Key.Threads,
                    torchMs / onnxMs is { } a ? Math.Round(a, 2) : null, onnxMs / int8Ms is { } b ? Math.Round(b, 2) : null);
            }).ToList();
            string description = $"{network.Topology.Name} {network.Config.Dimensions}D widths {string.Join(",", network.Config.Widths)}, {UNetSharp.Settings.SettingText.Of(network.Config.Norm)} norm, " +
                $"CGM {(network.Config.Cgm ? "on" : "off")}, {(model is null ? "random weights" : model.WeightsPath)}";
            return new DeploymentBenchmarkReport(ModelBenchmark.MachineDescription(), description, load, rows, ratios);
        }
        finally
        {
            if (model is null) network.Dispose();
        }
    }

    public static string Name(DeploymentEngine engine) => engine switch
    {
        DeploymentEngine.Torch => "torch",
        DeploymentEngine.Onnx => "onnx",
        _ => "onnx-int8",
    };

    public static DeploymentEngine Parse(string name) => name.Trim().ToLowerInvariant() switch
    {
        "torch" or "torchsharp" => DeploymentEngine.Torch,
        "onnx" => DeploymentEngine.Onnx,
        "onnx-int8" or "int8" => DeploymentEngine.OnnxInt8,
        _ => throw new ConfigurationException($"engine '{name}': expected torch, onnx or onnx-int8"),
    };

    static DeploymentRow Measure(DeploymentEngine engine, SegmentationNetwork folded, SegmentationNetwork network, int depth, int size, int threads,
        int repeats, byte[]? fp32, byte[]? int8, int integerConvs)
    {
        using var scope = NewDisposeScope();
        var image = randn([1, network.Config.InChannels, size, size], generator: new Generator(1));
        ProcessMemory.ResetPeak();
        IPatchPredictor predictor = engine switch
        {
            DeploymentEngine.Torch => new TorchPatchPredictor(folded),
            DeploymentEngine.Onnx => new OnnxPatchPredictor(new OnnxInference(fp32!, $"L{depth} float32", threads)),
            _ => new OnnxPatchPredictor(new OnnxInference(int8!, $"L{depth} int8", threads)),
        };
        using (predictor)
        {
            if (engine == DeploymentEngine.Torch) InferenceThreads.Set(threads);
            var times = new List<double>();
            for (int k = 0; k <= repeats; k++)
            {
                using var pass = NewDisposeScope();
                var clock = Stopwatch.StartNew();
                predictor.Run(image, depth);
                if (k > 0) times.Add(clock.Elapsed.TotalMilliseconds);   // the first run warms up
            }
            times.Sort();
            long bytes = engine switch
            {
                DeploymentEngine.Torch => 4 * NetworkCost.ForDepth(folded, depth, [size, size]).Parameters,
                DeploymentEngine.Onnx => fp32!.LongLength,
                _ => int8!.LongLength,
            };
            return new DeploymentRow(Name(engine), size, depth, threads, Math.Round(times[times.Count / 2], 2), bytes,
                Math.Round(ProcessMemory.Peak() / 1e6), engine == DeploymentEngine.OnnxInt8 ? integerConvs : 0);
        }
    }

    static int IntegerConvolutions(string path)
    {
        var ops = OnnxInference.OptimizedOperators(path);
        return ops.GetValueOrDefault("QLinearConv") + ops.GetValueOrDefault("ConvInteger");
    }

    /// <summary>The run's training patches, or 4 noise patches for a random network.</summary>
    static IReadOnlyList<CalibrationBatch> Calibration(PredictionModel? model, SegmentationNetwork network)
    {
        if (model is not null) return CalibrationData.FromRun(Path.GetDirectoryName(Path.GetFullPath(model.WeightsPath))!, model.Plan, 16);
        using var scope = NewDisposeScope();
        var generator = new Generator(2);
        return Enumerable.Range(0, 4).Select(_ => new CalibrationBatch(randn([1, network.Config.InChannels, 256, 256], generator: generator).data<float>().ToArray(),
            [1, network.Config.InChannels, 256, 256])).ToList();
    }

    /// <summary>UNet# 2D as the paper: depth 4, widths 32..512, batch norm, CGMs, deep supervision; random weights, seed 0.</summary>
    static SegmentationNetwork RandomNetwork()
    {
        using var state = random.get_rng_state();   // the caller's random stream is left where it was
        manual_seed(0);
        try { return new SegmentationNetwork(new NetworkConfig { Architecture = "unet#", Dimensions = 2, InChannels = 1, Classes = 1, Cgm = true }); }
        finally { random.set_rng_state(state); }
    }

    static double LoadAverage() => SystemLoad.OneMinute() ?? double.NaN;
}
