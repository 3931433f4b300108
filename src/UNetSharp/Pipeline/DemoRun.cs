using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using UNetSharp.Data.Synthetic;
using UNetSharp.IO;
using UNetSharp.Planning;
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

    /// <summary>Where the demo reports what it does; silent by default.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Draws curves.png (see <see cref="TrainRunOptions.CurvePlotter"/>); null: none.</summary>
    public Reporting.ICurvePlotter? CurvePlotter { get; init; }
}

/// <summary>
/// The README's first command: writes a synthetic cell data set as PNG files (paired images/ + labels/ folders),
/// trains a small UNet# (depth 3, widths 8..64, deep supervision, CGMs) through the same pipeline as `train`, evaluates
/// every pruned depth and writes metrics, curves and overlays.
/// </summary>
public static class DemoRun
{
    public static TrainRunResult Run(DemoOptions options, IProgress<EpochReport>? epochs = null, CancellationToken cancellation = default,
        IProgress<StepReport>? steps = null)
    {
        Directory.CreateDirectory(options.OutDirectory);
        using var writer = RunLock.Acquire(options.OutDirectory, warning => options.Logger.LogWarning("{Warning}", warning)); // one demo per folder: it replaces OUT/run
        string data = options.DataDirectory ?? Path.Combine(options.OutDirectory, "data");
        if (options.DataDirectory is null)
        {
            options.Logger.LogInformation("writing {Images} synthetic {Size}x{Size} cell images to {Folder}", options.Images, options.Size, options.Size, data);
            WriteSyntheticCells(data, options);
        }
        string run = Path.Combine(options.OutDirectory, "run");
        if (Directory.Exists(run)) Directory.Delete(run, recursive: true); // the demo always starts afresh
        var trainOptions = new TrainRunOptions
        {
            DataDirectory = data,
            RunDirectory = run,
            Plan = new PlanOptions { Depth = 3, Widths = new[] { 8, 16, 32, 64 }, BatchSize = 8 },
            Training = new TrainingConfig { Epochs = options.Epochs, LearningRate = 3e-3, WarmupEpochs = 1, Seed = options.Seed },
            BatchesPerEpoch = options.BatchesPerEpoch,
            DataSeed = options.Seed,
            Logger = options.Logger,
            CurvePlotter = options.CurvePlotter,
        };
        return TrainingRun.Run(trainOptions, epochs, cancellation, steps);
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
