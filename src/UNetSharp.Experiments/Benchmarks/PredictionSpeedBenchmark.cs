using System.Diagnostics;
using System.Text.Json;
using UNetSharp.IO;
using UNetSharp.Inference;
using UNetSharp.Prediction;
using UNetSharp.Models;
using UNetSharp.Planning;
using static TorchSharp.torch;

namespace UNetSharp.Experiments.Benchmarks;

/// <summary>Settings of <see cref="PredictionSpeedBenchmark"/>.</summary>
public sealed record PredictionSpeedOptions
{
    public IReadOnlyList<int> Depths { get; init; } = [1, 2, 3, 4];
    /// <summary>Side of the square 2D slice (one tile).</summary>
    public int SliceSize { get; init; } = 512;
    /// <summary>Also time mirroring TTA (folded network only: TTA multiplies passes, folding is orthogonal).</summary>
    public bool Tta { get; init; }
    /// <summary>Thread counts to time at; empty: the current setting.</summary>
    public IReadOnlyList<int> Threads { get; init; } = [];
    /// <summary>2D slices, 3D volumes, or both.</summary>
    public bool Slices { get; init; } = true;
    public bool Volumes { get; init; } = true;
    /// <summary>Folder of NIfTI volumes (hippocampus); null or missing: one synthetic 40x56x40 volume.</summary>
    public string? VolumeFolder { get; init; }
    public int MaxVolumes { get; init; } = 2;
    /// <summary>Widths of the 3D UNet# (depth = count − 1); the 2D network is the paper's default (32..512).</summary>
    public IReadOnlyList<int> Widths3D { get; init; } = [16, 32, 64, 128, 256];
    public int Warmup { get; init; } = 1;
    public int Repeats { get; init; } = 3;

    /// <summary>Refuses settings the benchmark would otherwise drop or fail on late (a depth neither network has is
    /// an error, not a silently missing row).</summary>
    public void Validate()
    {
        int most = Math.Max(Slices ? 4 : 0, Volumes ? Widths3D.Count - 1 : 0);
        if (Depths.Count == 0 || Depths.Any(d => d < 1 || d > most))
            throw new ConfigurationException($"depths must each be between 1 and {most} (the benchmarked networks' depth), got {string.Join(",", Depths)}");
        if (Slices && (SliceSize < 16 || SliceSize % 16 != 0)) throw new ConfigurationException($"slice size must be a positive multiple of 16 (2^4), got {SliceSize}");
        if (Threads.Any(t => t < 1)) throw new ConfigurationException($"thread counts must each be at least 1, got {string.Join(",", Threads)}");
        if (Widths3D.Count is < 2 or > 9 || Widths3D.Any(w => w is < 1 or > 4096)) throw new ConfigurationException($"3D widths must be 2 to 9 values from 1 to 4096, got {string.Join(",", Widths3D)}");
        if (MaxVolumes < 1 || Repeats < 1 || Warmup < 0) throw new ConfigurationException($"max volumes and repeats must be at least 1, got {MaxVolumes} and {Repeats}");
    }
}

/// <summary>One timing: median milliseconds per slice or volume, with the speed-up against the full depth and the ratios to compare it with.</summary>
public sealed record PredictionSpeedRow(string Target, string Shape, int Threads, bool Folded, bool Tta, int Depth, int Nodes, double Gflop,
    double MedianMs, double SpeedupVsFull, double FlopRatioVsFull, double? PaperDsb2018Ratio, double? PaperLidcRatio);

public sealed record PredictionSpeedReport(string Machine, string VolumeSource, IReadOnlyList<PredictionSpeedRow> Rows)
{
    public string ToJson() => ProjectJson.Serialize(this);
}

/// <summary>
/// `unetsharp bench predict`: sliding-window prediction latency (padding, tiles, blending, labels; no file I/O) of the
/// default UNet# with random weights at each depth, with and without batch-norm folding and TTA, per thread count.
/// Speed-ups against the full depth are set beside the FLOP ratio (<see cref="NetworkCost"/>) and the UNet# paper's
/// frames-per-second ratios (GPU): DSB2018 1205/894/655/410 it/s, LIDC 4960/2650/1180/620 it/s at L1..L4.
/// </summary>
public static class PredictionSpeedBenchmark
{
    static readonly double[] PaperDsb = [1205, 894, 655, 410], PaperLidc = [4960, 2650, 1180, 620];

    public static PredictionSpeedReport Run(PredictionSpeedOptions options, IProgress<string>? status = null)
    {
        options.Validate();
        var rows = new List<PredictionSpeedRow>();
        int previous = InferenceThreads.Current;
        string volumeSource = "none";
        try
        {
            var threads = options.Threads.Count == 0 ? [previous] : options.Threads;
            if (options.Slices)
            {
                using var net = new SegmentationNetwork(new NetworkConfig { Dimensions = 2, Depth = 4, DeepSupervision = true });
                var image = Random(options.SliceSize * options.SliceSize, 1);
                var input = new[] { (image, new[] { options.SliceSize, options.SliceSize }) };
                rows.AddRange(Measure("slice", net, input, [options.SliceSize, options.SliceSize], threads, options, status));
            }
            if (options.Volumes)
            {
                var (volumes, source) = LoadVolumes(options);
                volumeSource = source;
                int depth = options.Widths3D.Count - 1;
                using var net = new SegmentationNetwork(new NetworkConfig { Dimensions = 3, Depth = depth, Widths = options.Widths3D.ToArray(), DeepSupervision = true });
                var tile = volumes.Select(v => v.Shape).Aggregate((a, b) => a.Zip(b, Math.Max).ToArray()).Select((s, a) => (int)((s + net.Config.SizeMultiples[a] - 1) / net.Config.SizeMultiples[a] * net.Config.SizeMultiples[a])).ToArray();
                rows.AddRange(Measure("volume", net, volumes, tile, threads, options, status));
            }
        }
        finally { InferenceThreads.Set(previous); }
        return new PredictionSpeedReport(ModelBenchmark.MachineDescription(), volumeSource, rows);
    }

    static IEnumerable<PredictionSpeedRow> Measure(string target, SegmentationNetwork net, IReadOnlyList<(float[] Image, int[] Shape)> inputs, int[] tile,
        IReadOnlyList<int> threads, PredictionSpeedOptions options, IProgress<string>? status)
    {
        var depths = options.Depths.Where(net.PrunableDepths.Contains).ToList();
        using var folded = BatchNormFolding.FoldedCopy(net);
        string shape = string.Join("x", inputs[0].Shape) + (inputs.Count > 1 ? $" (+{inputs.Count - 1} more)" : "");
        var size = tile.Select(s => (long)s).ToArray();
        double fullFlops = NetworkCost.ForDepth(net, net.Config.Depth, size).Flops;
        foreach (int t in threads)
        {
            InferenceThreads.Set(t);
            foreach (var (network, isFolded, tta) in new[] { (net, false, false), (folded, true, false) }.Concat(options.Tta ? [(folded, true, true)] : []))
            {
                var times = new Dictionary<int, (double Ms, int Nodes)>();
                foreach (int depth in depths.Append(net.Config.Depth).Distinct().OrderByDescending(d => d))
                {
                    status?.Report($"{target} {shape}: L{depth}, {t} threads, {(isFolded ? "folded" : "unfolded")}{(tta ? ", TTA" : "")}");
                    var predictor = new SlidingWindowPredictor(network, new SlidingWindowOptions { Depth = depth, TileSize = tile, MirrorAxes = tta ? null : Array.Empty<int>() });
                    double ms = MedianMs(() => { foreach (var (image, s) in inputs) predictor.Predict(image, 1, s); }, options.Warmup, options.Repeats) / inputs.Count;
                    times[depth] = (ms, network.LastExecutedNodeCount);
                }
                foreach (int depth in depths)
                {
                    double flops = NetworkCost.ForDepth(net, depth, size).Flops;
                    int paper = net.Config.Depth == 4 ? depth - 1 : -1;
                    yield return new PredictionSpeedRow(target, shape, t, isFolded, tta, depth, times[depth].Nodes, Math.Round(flops / 1e9, 2),
                        Math.Round(times[depth].Ms, 2), Math.Round(times[net.Config.Depth].Ms / times[depth].Ms, 2), Math.Round(fullFlops / flops, 2),
                        paper >= 0 ? Math.Round(PaperDsb[paper] / PaperDsb[3], 2) : null, paper >= 0 ? Math.Round(PaperLidc[paper] / PaperLidc[3], 2) : null);
                }
            }
        }
    }

    /// <summary>Hippocampus volumes z-scored as the plan would; a synthetic 40x56x40 volume when none are found.</summary>
    static (List<(float[] Image, int[] Shape)> Volumes, string Source) LoadVolumes(PredictionSpeedOptions options)
    {
        string? folder = options.VolumeFolder;
        if (folder is not null && Directory.Exists(folder))
        {
            var files = Directory.EnumerateFiles(folder).Where(NiftiFile.IsNiftiPath).Order(StringComparer.Ordinal).Take(options.MaxVolumes).ToList();
            if (files.Count > 0)
            {
                var volumes = files.Select(f =>
                {
                    var image = ImageFile.Read(f);
                    var c = NormalizationScheme.Apply(new Data.SegmentationCase(ImageFile.Stem(f), image.Data, image.Channels, image.Shape, null, image.Spacing),
                        [new ChannelNormalization(NormalizationKind.ZScore)]);
                    return (c.Image, c.Shape);
                }).ToList();
                return (volumes, $"{files.Count} volume(s) from {folder}");
            }
        }
        return ([(Random(40 * 56 * 40, 2), [40, 56, 40])], "synthetic 40x56x40");
    }

    public static double MedianMs(Action action, int warmup, int repeats)
    {
        for (int i = 0; i < warmup; i++) using (NewDisposeScope()) action();
        var times = new double[Math.Max(1, repeats)];
        for (int i = 0; i < times.Length; i++)
        {
            var clock = Stopwatch.StartNew();
            using (NewDisposeScope()) action();
            times[i] = clock.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return times.Length % 2 == 1 ? times[times.Length / 2] : (times[times.Length / 2 - 1] + times[times.Length / 2]) / 2;
    }

    static float[] Random(int count, int seed)
    {
        var rng = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
    }
}
