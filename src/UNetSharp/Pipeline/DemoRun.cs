using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using UNetSharp.Data.Synthetic;
using UNetSharp.IO;
using UNetSharp.Planning;
using UNetSharp.Settings;
using UNetSharp.Training;

namespace UNetSharp.Pipeline;

/// <summary>Settings of `unetsharp demo`: small enough to train in a few minutes on two CPU cores.</summary>
public sealed record DemoOptions
{
    /// <summary>Output folder (the run goes to OUT/run, generated data to OUT/data).</summary>
    public string OutDirectory { get; init; } = "demo-run";

    /// <summary>An existing data set to use instead of the synthetic cells.</summary>
    public string? DataDirectory { get; init; }

    public int Images { get; init; } = 48;
    public int Size { get; init; } = 64;
    public int Epochs { get; init; } = 24;
    public int BatchesPerEpoch { get; init; } = 12;
    public int Seed { get; init; } = 7;

    /// <summary>Torch intra-op threads of the demo's training and evaluation, pinned so two demos repeat the same curve
    /// bitwise (results depend on the thread count); the caller's setting is restored afterwards.</summary>
    public int Threads { get; init; } = 2;

    /// <summary>Where the demo reports what it does; silent by default.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Draws curves.png (see <see cref="TrainRunOptions.CurvePlotter"/>); null: none.</summary>
    public Training.ICurvePlotter? CurvePlotter { get; init; }
}

/// <summary>
/// The README's first command: writes a synthetic cell data set as PNG files (paired images/ + labels/ folders),
/// trains a small UNet# (depth 3, widths 8..64, deep supervision, CGMs) through the same pipeline as `train`, evaluates
/// every pruned depth and writes metrics, curves and overlays.
/// </summary>
public static class DemoRun
{
    /// <summary>Marks a folder the demo made; only such a folder's data/ and run/ are ever deleted (to start afresh).</summary>
    public const string MarkerFile = ".unetsharp-demo";

    public static TrainRunResult Run(DemoOptions options, IProgress<EpochReport>? epochs = null, CancellationToken cancellation = default,
        IProgress<StepReport>? steps = null)
    {
        Validate(options);
        string data = options.DataDirectory ?? Path.Combine(options.OutDirectory, "data");
        string run = Path.Combine(options.OutDirectory, "run");
        PathGuard.RequireFolderOrAbsent(options.OutDirectory, "demo output folder");
        Directory.CreateDirectory(options.OutDirectory);
        // one demo per folder (it replaces OUT/data and OUT/run): the lock comes before anything is deleted
        using var writer = RunLock.Acquire(options.OutDirectory, warning => options.Logger.LogWarning("{Warning}", warning));
        PrepareOutput(options);
        AtomicFile.WriteAllText(Path.Combine(options.OutDirectory, MarkerFile), "written by unetsharp demo; its data/ and run/ folders are replaced by the next demo run\n");
        if (options.DataDirectory is null)
        {
            options.Logger.LogInformation("writing {Images} synthetic {Size}x{Size} cell images to {Folder}", options.Images, options.Size, options.Size, data);
            WriteSyntheticCells(data, options);
        }
        var defaults = RunSettings.Default;
        var trainOptions = new TrainRunOptions
        {
            Settings = defaults with
            {
                Data = data, Out = run,
                Network = defaults.Network with { Depth = 3, Widths = [8, 16, 32, 64], HeadInit = HeadInitKind.Default },
                Plan = defaults.Plan with { BatchSize = 8 },
                // the thread count is the run's own: TrainingRun sets it inside a TorchStateScope and gives the caller's back
                Optimisation = defaults.Optimisation with
                {
                    Epochs = options.Epochs, LearningRate = 3e-3, Warmup = 1, Seed = options.Seed, Threads = options.Threads, BatchesPerEpoch = options.BatchesPerEpoch,
                },
                Dataset = defaults.Dataset with { DataSeed = options.Seed },
            },
            Logger = options.Logger,
            CurvePlotter = options.CurvePlotter,
        };
        return TrainingRun.Run(trainOptions, epochs, cancellation, steps);
    }

    /// <summary>Every setting checked before the first file is written.</summary>
    public static void Validate(DemoOptions options)
    {
        if (options.Epochs < 1) throw new ConfigurationException($"demo epochs must be at least 1, got {options.Epochs}");
        if (options.Threads < 1) throw new ConfigurationException($"demo threads must be at least 1, got {options.Threads}");
        if (options.BatchesPerEpoch < 1) throw new ConfigurationException($"demo batches per epoch must be at least 1, got {options.BatchesPerEpoch}");
        if (options.DataDirectory is null)
        {
            if (options.Images is < 2 or > 100_000) throw new ConfigurationException($"demo images must be in 2..100000 (one to train, one to validate), got {options.Images}");
            // the demo network has depth 3: every side a multiple of 2^3
            if (options.Size is < 8 or > 4096 || options.Size % 8 != 0) throw new ConfigurationException($"demo image size must be a multiple of 8 in 8..4096, got {options.Size}");
            if ((long)options.Images * options.Size * options.Size > int.MaxValue)
                throw new ConfigurationException($"demo data set of {options.Images} images of {options.Size}x{options.Size} pixels is too large (over {int.MaxValue} pixels)");
        }
        else if (!Directory.Exists(options.DataDirectory)) throw new DataFormatException(options.DataDirectory, "data folder not found");
    }

    /// <summary>
    /// The output folder is new, empty, or one an earlier demo made (it holds <see cref="MarkerFile"/>): only then are
    /// its data/ and run/ replaced. Anything else is somebody's folder and is refused, never deleted.
    /// </summary>
    static void PrepareOutput(DemoOptions options)
    {
        string output = options.OutDirectory;
        PathGuard.RequireFolderOrAbsent(output, "demo output folder");
        if (options.DataDirectory is not null) PathGuard.RefuseOverlap(output, "demo output folder", options.DataDirectory, "data folder");
        if (!Directory.Exists(output) || !Directory.EnumerateFileSystemEntries(output).Any(e => Path.GetFileName(e) != RunLock.FileName)) return;
        if (!File.Exists(Path.Combine(output, MarkerFile)))
            throw new ConfigurationException($"demo output folder {output} already holds files the demo did not write; choose a new or empty folder");
        foreach (string mine in new[] { "run", "data" })
        {
            string path = Path.Combine(output, mine);
            if (Directory.Exists(path) && new DirectoryInfo(path).LinkTarget is null) Directory.Delete(path, recursive: true);
            else if (File.Exists(path) || Directory.Exists(path)) throw new ConfigurationException($"{path} is not a folder the demo made; it is left alone");
        }
    }

    static void WriteSyntheticCells(string folder, DemoOptions options)
    {
        foreach (var c in SyntheticCells.Generate(options.Images, options.Size, options.Seed))
        {
            float min = c.Image.Min(), max = c.Image.Max();
            var pixels = c.Image.Select(v => MathF.Round(255 * (v - min) / Math.Max(1e-6f, max - min))).ToArray();
            PngFile.Write(Path.Combine(folder, "images", c.Id + ".png"), new RasterImage(pixels, 1, c.Shape, 8));
            PngFile.WriteLabels(Path.Combine(folder, "labels", c.Id + ".png"), c.Label!.Select(v => v * 255).ToArray(), c.Shape[0], c.Shape[1]);
        }
    }
}
