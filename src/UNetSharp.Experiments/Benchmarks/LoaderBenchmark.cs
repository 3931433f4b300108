using System.Diagnostics;
using UNetSharp.IO;
using System.Text.Json;
using System.Text.Json.Serialization;
using TorchSharp;
using UNetSharp.Data.Augmentation;
using UNetSharp.Data.Layouts;
using UNetSharp.Data.Sampling;
using UNetSharp.Evaluation;
using UNetSharp.Models;

namespace UNetSharp.Experiments.Benchmarks;

/// <summary>Settings of <see cref="LoaderBenchmark"/>.</summary>
public sealed record LoaderBenchmarkOptions
{
    public int BatchSize { get; init; } = 2;
    /// <summary>Patch per data set; null = 256x256 in 2D, 40x56x40 in 3D.</summary>
    public IReadOnlyList<int>? PatchSize { get; init; }
    /// <summary>none | default (UNet# authors') | nnunet.</summary>
    public string Augment { get; init; } = "default";
    public int Workers { get; init; } = 1;
    public int Batches { get; init; } = 20;
    public int WarmupBatches { get; init; } = 2;
    public bool Gray { get; init; }
    public int BinaryForeground { get; init; } = 255;
    /// <summary>Also time one UNet# training step per data set (see <see cref="LoaderBenchmark.StepNetwork"/>).</summary>
    public bool TrainingStep { get; init; } = true;
    public int StepRepeats { get; init; } = 3;

    public static AugmentationPipeline? Pipeline(string name) => name.ToLowerInvariant() switch
    {
        "none" => null,
        "unetsharp" or "unet#" or "default" => AugmentationPipeline.UNetSharpDefault(),   // "default": the old spelling
        "nnunet" => AugmentationPipeline.NnUNetDefault(),
        _ => throw new ConfigurationException($"augmentation must be none, unetsharp or nnunet, got '{name}'"),
    };
}

/// <summary>One data set's loader speed, and the training step it is compared with.</summary>
public sealed record LoaderBenchmarkRow(
    [property: JsonPropertyName("data")] string Data,
    [property: JsonPropertyName("layout")] string Layout,
    [property: JsonPropertyName("cases")] int Cases,
    [property: JsonPropertyName("dims")] int Dimensions,
    [property: JsonPropertyName("channels")] int Channels,
    [property: JsonPropertyName("classes")] int Classes,
    [property: JsonPropertyName("patch")] IReadOnlyList<int> Patch,
    [property: JsonPropertyName("batch")] int Batch,
    [property: JsonPropertyName("workers")] int Workers,
    [property: JsonPropertyName("augment")] string Augment,
    [property: JsonPropertyName("load_all_s")] double LoadAllSeconds,
    [property: JsonPropertyName("batches_per_s")] double BatchesPerSecond,
    [property: JsonPropertyName("cases_per_s")] double CasesPerSecond,
    [property: JsonPropertyName("step_network")] string? StepNetwork,
    [property: JsonPropertyName("step_patch")] IReadOnlyList<long>? StepPatch,
    [property: JsonPropertyName("step_s")] double? StepSeconds,
    [property: JsonPropertyName("step_cases_per_s")] double? StepCasesPerSecond,
    [property: JsonPropertyName("loader_vs_step")] double? LoaderVsStep);

public sealed record LoaderBenchmarkReport(
    [property: JsonPropertyName("machine")] string Machine,
    [property: JsonPropertyName("torch_threads")] int TorchThreads,
    [property: JsonPropertyName("rows")] IReadOnlyList<LoaderBenchmarkRow> Rows)
{
    public string ToJson() => ProjectJson.Serialize(this);
}

/// <summary>
/// Patch-loader throughput per data set: every case is read once into memory first (as training caches them; the
/// read time is reported apart), then batches are taken as fast as the loader builds them. Optionally set against
/// the consumption rate of one UNet# training step at the same batch size, the issue's target being loader ≥ 5× step.
/// </summary>
public static class LoaderBenchmark
{
    public static LoaderBenchmarkReport Run(IReadOnlyList<string> dataDirs, LoaderBenchmarkOptions options, IProgress<string>? progress = null)
    {
        var augmentation = LoaderBenchmarkOptions.Pipeline(options.Augment);
        var rows = new List<LoaderBenchmarkRow>();
        foreach (string dir in dataDirs)
        {
            string name = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(dir)));
            var dataset = DatasetLayouts.Open(dir, new LayoutOptions { Gray = options.Gray, BinaryForeground = options.BinaryForeground });
            if (dataset.Count == 0) throw new DataFormatException(dir, "data set has no cases");
            progress?.Report($"{name}: reading {dataset.Count} cases");
            var source = new CachingCaseSource(new DatasetCaseSource(dataset));
            var clock = Stopwatch.StartNew();
            int dims = 0, channels = 0, maxLabel = 0;
            for (int i = 0; i < source.Count; i++)
            {
                var c = source.Load(i);
                dims = c.Dimensions; channels = c.Channels;
                if (c.Label is { } label) maxLabel = Math.Max(maxLabel, label.Max());
            }
            double loadAll = clock.Elapsed.TotalSeconds;
            int[] patch = (options.PatchSize ?? (dims == 2 ? [256, 256] : [40, 56, 40])).ToArray();
            if (patch.Length != dims) throw new ConfigurationException($"patch [{string.Join("x", patch)}] has {patch.Length} axes but {name} is {dims}D");

            progress?.Report($"{name}: loader, {options.Batches} batches of {options.BatchSize}");
            var throughput = LoaderThroughput.Measure(source, new LoaderOptions
            {
                PatchSize = patch, BatchSize = options.BatchSize, Workers = options.Workers, Augmentation = augmentation, Seed = 1,
            }, options.Batches, options.WarmupBatches);

            int classes = maxLabel <= 1 ? 1 : maxLabel + 1; // binary data sets train one sigmoid output
            string? stepName = null; long[]? stepPatch = null; double? step = null;
            if (options.TrainingStep)
            {
                (var config, stepPatch) = StepNetwork(dims, channels, classes, patch);
                stepName = $"unet# {dims}D widths {string.Join(",", config.Widths)}";
                progress?.Report($"{name}: training step of {stepName} at {string.Join("x", stepPatch)}");
                step = TrainingStepTimer.Seconds(config, options.BatchSize, stepPatch, options.StepRepeats);
            }
            double? stepRate = step is { } s ? options.BatchSize / s : null;
            rows.Add(new LoaderBenchmarkRow(name, dataset.Kind.ToString(), dataset.Count, dims, channels, classes, patch, options.BatchSize,
                options.Workers, options.Augment.ToLowerInvariant(), Math.Round(loadAll, 2), Math.Round(throughput.BatchesPerSecond, 2),
                Math.Round(throughput.CasesPerSecond, 2), stepName, stepPatch, step is null ? null : Math.Round(step.Value, 3),
                stepRate is null ? null : Math.Round(stepRate.Value, 3), stepRate is null ? null : Math.Round(throughput.CasesPerSecond / stepRate.Value, 1)));
        }
        return new LoaderBenchmarkReport(ModelBenchmark.MachineDescription(), torch.get_num_threads(), rows);
    }

    /// <summary>
    /// The network a data set's loader feeds: in 2D the default UNet# (widths 32..512, depth 4) at the loader's patch;
    /// in 3D UNet# with widths 16,32,64,128 (depth 3) at 48x64x48, the issue's 3D reference.
    /// </summary>
    public static (NetworkConfig Config, long[] Patch) StepNetwork(int dims, int channels, int classes, IReadOnlyList<int> loaderPatch)
    {
        var config = dims == 2
            ? new NetworkConfig { Dimensions = 2, InChannels = channels, Classes = classes }
            : new NetworkConfig { Dimensions = 3, InChannels = channels, Classes = classes, Depth = 3, Widths = [16, 32, 64, 128] };
        long[] patch = dims == 2 ? loaderPatch.Select(v => (long)v).ToArray() : [48, 64, 48];
        return (config, patch);
    }
}
