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

    /// <summary>Checked before anything is written: the demo network has depth 3, so images are multiples of 2^3.</summary>
    public void Validate()
    {
        if (Epochs < 1) throw new ConfigurationException($"epochs must be at least 1, got {Epochs}");
        if (BatchesPerEpoch < 1) throw new ConfigurationException($"batches per epoch must be at least 1, got {BatchesPerEpoch}");
        if (DataDirectory is null && Images < 2) throw new ConfigurationException($"images must be at least 2 (one to train, one to validate), got {Images}");
        if (DataDirectory is null && Images > 100_000) throw new ConfigurationException($"images must be at most 100000, got {Images}");
        if (DataDirectory is null && (Size is < 16 or > 4096 || Size % 8 != 0))
            throw new ConfigurationException($"image size must be a multiple of 8 from 16 to 4096, got {Size}");
        if (DataDirectory is not null && !Directory.Exists(DataDirectory)) throw new DataFormatException(DataDirectory, "data folder not found");
    }

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
    public static TrainRunResult Run(DemoOptions options, IProgress<EpochReport>? epochs = null, IProgress<string>? status = null, CancellationToken cancellation = default)
    {
        options.Validate();
        string data = options.DataDirectory ?? Path.Combine(options.OutDirectory, "data");
        if (options.DataDirectory is null)
        {
            status?.Report($"writing {options.Images} synthetic {options.Size}x{options.Size} cell images to {data}");
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
            CurvePlotter = options.CurvePlotter,
        };
        return TrainingRun.Run(trainOptions, epochs, status, cancellation);
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
