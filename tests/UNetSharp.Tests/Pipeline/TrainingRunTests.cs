using System.Text.Json;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Reporting;
using UNetSharp.Training;
using UNetSharp.Settings;

namespace UNetSharp.Tests.Pipeline;

/// <summary>The whole train pipeline on a tiny synthetic set: plan → train → evaluate every depth → report files.</summary>
[Trait("Category", "Slow")]
public sealed class TrainingRunTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-run-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ATinyRunWritesPlanCheckpointsMetricsCurvesAndOverlays()
    {
        var result = DemoRun.Run(new DemoOptions { OutDirectory = dir, Images = 8, Size = 32, Epochs = 2, Seed = 3, CurvePlotter = TrainingCurves.Plotter });
        string run = Path.Combine(dir, "run");
        foreach (var file in new[] { "plan.json", "inference.json", "config.json", "best.ckpt", "last.ckpt", "history.csv", "metrics.json", "cases.csv", "curves.png" })
            Assert.True(File.Exists(Path.Combine(run, file)), $"{file} missing");
        Assert.Equal(Math.Min(8, 2), Directory.GetFiles(Path.Combine(run, "overlays"), "*.png").Length);
        Assert.Equal(8, Directory.GetFiles(Path.Combine(dir, "data", "images"), "*.png").Length);

        var plan = ExperimentPlan.Load(run);
        Assert.Equal(new[] { 0, 1 }, plan.ClassValues);
        Assert.Equal(1, plan.Network.Classes);
        Assert.Equal(new[] { 32, 32 }, plan.PatchSize);
        Assert.Equal(result.ChosenDepth, InferenceChoices.Load(run).ChosenDepth); // decided after planning: inference.json, not plan.json
        Assert.Null(plan.PredictionDepth);
        Assert.Equal(new[] { 1, 2, 3 }, result.DiceByDepth.Keys.Order());

        using var metrics = JsonDocument.Parse(File.ReadAllText(result.MetricsPath));
        Assert.Equal(result.ChosenDepth, metrics.RootElement.GetProperty("chosen_depth").GetInt32());
        Assert.Equal(2, metrics.RootElement.GetProperty("epochs").GetInt32());
        Assert.Equal(2, metrics.RootElement.GetProperty("validation_cases").GetArrayLength()); // 20% of 8, rounded
        var l3 = metrics.RootElement.GetProperty("depths").GetProperty("L3");
        Assert.Equal(2, l3.GetProperty("cases").GetInt32());
        Assert.True(l3.GetProperty("classes").TryGetProperty("1", out _));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "history.csv")).Length); // header + 2 epochs
    }

    [Fact]
    public void StartingTwiceInTheSameFolderIsRefusedButResumeIsAccepted()
    {
        DemoRun.Run(new DemoOptions { OutDirectory = dir, Images = 6, Size = 32, Epochs = 1, Seed = 4 });
        var d = RunSettings.Default;
        var options = new TrainRunOptions
        {
            Settings = d with
            {
                Data = Path.Combine(dir, "data"), Out = Path.Combine(dir, "run"), Dataset = d.Dataset with { DataSeed = 4 },
                Network = d.Network with { Depth = 2, Widths = [4, 8, 8], HeadInit = HeadInitKind.Default }, Plan = d.Plan with { BatchSize = 2 },
                Optimisation = d.Optimisation with { Epochs = 1, BatchesPerEpoch = 12 },
            },
        };
        var e = Assert.Throws<ConfigurationException>(() => TrainingRun.Run(options));
        Assert.Contains("already holds a run", e.Message);
        var saved = new TrainRunOptions { Settings = RunSettingsFile.Load(Path.Combine(dir, "run")) }; // the demo's own settings, as a resume must use them
        var resumed = TrainingRun.Run(saved with { Resume = true });
        Assert.Equal(1, resumed.Epochs); // the saved run had its one epoch: resume finds nothing left to train and re-evaluates
        Assert.Null(resumed.CurvesPath); // no plotter, no picture: the core library draws none itself
        Assert.False(File.Exists(Path.Combine(dir, "run", TrainingRun.CurvesFileName)));
    }
}
