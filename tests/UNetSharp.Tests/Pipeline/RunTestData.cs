using UNetSharp.Data.Synthetic;
using UNetSharp.IO;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Settings;
using UNetSharp.Training;

namespace UNetSharp.Tests.Pipeline;

/// <summary>A small synthetic cell data set on disk (paired images/ + labels/ PNGs) and tiny run settings for it.</summary>
public static class RunTestData
{
    public static string Cells(string folder, int images = 6, int size = 32, int seed = 5)
    {
        foreach (var c in SyntheticCells.Generate(images, size, seed))
        {
            float min = c.Image.Min(), max = c.Image.Max();
            var pixels = c.Image.Select(v => MathF.Round(255 * (v - min) / Math.Max(1e-6f, max - min))).ToArray();
            PngFile.Write(Path.Combine(folder, "images", c.Id + ".png"), new RasterImage(pixels, 1, c.Shape, 8));
            PngFile.WriteLabels(Path.Combine(folder, "labels", c.Id + ".png"), c.Label!.Select(v => v * 255).ToArray(), c.Shape[0], c.Shape[1]);
        }
        return folder;
    }

    /// <summary>Depth-2 UNet# with widths 4,8,16 on 32 px patches, 3 batches per epoch, no surface distances or overlays;
    /// PyTorch's head init (the runs these tests pin were trained before 'prior' became the default).</summary>
    public static TrainRunOptions Tiny(string data, string run, int epochs = 2) => new() { Settings = TinySettings(data, run, epochs) };

    public static RunSettings TinySettings(string data, string run, int epochs = 2)
    {
        var d = RunSettings.Default;
        return d with
        {
            Data = data,
            Out = run,
            Network = d.Network with { Depth = 2, Widths = [4, 8, 16], HeadInit = HeadInitKind.Default },
            Plan = d.Plan with { BatchSize = 2, PatchSize = [32, 32] },
            Optimisation = d.Optimisation with { Epochs = epochs, LearningRate = 3e-3, Seed = 9, BatchesPerEpoch = 3 },
            Dataset = d.Dataset with { DataSeed = 4 },
            Validation = d.Validation with { Overlays = 0, SurfaceDistances = false },
        };
    }

    /// <summary>history.csv without its wall-time column (the reproducible part).</summary>
    public static string[] Curve(string run) => File.ReadAllLines(Path.Combine(run, HistoryCsv.FileName))
        .Select(l => string.Join(",", l.Split(',')[..^1])).ToArray();
}
