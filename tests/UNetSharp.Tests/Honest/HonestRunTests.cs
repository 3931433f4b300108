using System.Text.Json;
using UNetSharp.Cli;
using UNetSharp.IO;

namespace UNetSharp.Tests.Honest;

/// <summary>
/// A model that learned nothing is said to have learned nothing: labels that are random noise, 95 % foreground and
/// independent of the images, can only be fit by the constant all-foreground map. The run must say that its chosen
/// depth does not beat the trivial baseline in the console, metrics.json and report.html, and `predict` must warn
/// about the all-foreground maps it writes.
/// </summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)] // trains: seeds torch's global generator
public sealed class HonestRunTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-honest-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    static string NoiseData(string folder, int cases = 6, int size = 32)
    {
        var random = new Random(3);
        for (int i = 0; i < cases; i++)
        {
            var pixels = Enumerable.Range(0, size * size).Select(_ => (float)random.Next(256)).ToArray();
            PngFile.Write(Path.Combine(folder, "images", $"c{i}.png"), new RasterImage(pixels, 1, [size, size], 8));
            PngFile.WriteLabels(Path.Combine(folder, "labels", $"c{i}.png"), Enumerable.Range(0, size * size).Select(_ => random.NextDouble() < 0.95 ? 255 : 0).ToArray(), size, size);
        }
        return folder;
    }

    [Fact]
    public void ARunThatPredictsAllForegroundIsFlaggedInConsoleMetricsAndReport()
    {
        string data = NoiseData(Path.Combine(root, "data")), run = Path.Combine(root, "run");
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = CliApp.Run(["train", "--data", data, "--out", run, "--depth", "2", "--widths", "4,8,16", "--patch", "32x32", "--batch", "2",
            "--epochs", "1", "--batches-per-epoch", "2", "--seed", "9", "--overlays", "0", "--no-surface-distances", "--threads", "1"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString() + stdout);

        string console = stdout.ToString();
        Assert.Contains("trivial baselines on the same cases (mean Dice of a constant map): all background 0.000, all foreground 0.9", console);
        Assert.Contains("does not beat the trivial baseline", console);
        Assert.Contains("not above the trivial baseline", console);

        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, RunFolder.MetricsName)));
        var m = metrics.RootElement;
        Assert.False(m.GetProperty("beats_trivial_baseline").GetBoolean());
        double best = m.GetProperty("trivial_baseline").GetProperty("best_mean_dice").GetDouble();
        Assert.InRange(best, 0.94, 0.99); // 2·0.95/1.95 ≈ 0.974 at 95 % foreground
        Assert.Equal(0.0, m.GetProperty("trivial_baseline").GetProperty("all_background").GetProperty("mean_dice").GetDouble());
        int chosen = m.GetProperty("chosen_depth").GetInt32();
        Assert.False(m.GetProperty("depths").GetProperty($"L{chosen}").GetProperty("beats_trivial_baseline").GetBoolean());

        string html = File.ReadAllText(Path.Combine(run, "report.html"));
        Assert.Contains("<p class=\"warning\"><strong>warning:</strong> The chosen depth L" + chosen + " does not beat the trivial baseline", html);
        Assert.Contains("<h2>Trivial baselines</h2>", html);

        // predict writes the all-foreground maps, says "ok" and warns on stderr, once per file
        var (pout, perr) = (new StringWriter(), new StringWriter());
        string pred = Path.Combine(root, "pred");
        code = CliApp.Run(["predict", "--model", run, "--input", Path.Combine(data, "images", "c0.png"), "--out", pred, "--threads", "1"], pout, perr);
        Assert.True(code == 0, perr.ToString());
        var (labels, _, _) = ImageFile.ReadLabels(Path.Combine(pred, "c0.png"));
        Assert.All(labels, v => Assert.NotEqual(0, v)); // the premise: every pixel foreground
        Assert.Contains("warning: c0.png: every voxel of the predicted map is foreground (1,024 of 1,024)", perr.ToString());
        Assert.Contains("ok, all foreground", pout.ToString());
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(pred, "predict-summary.json")));
        Assert.StartsWith("every voxel", summary.RootElement.GetProperty("files")[0].GetProperty("warning").GetString());
    }
}
