using System.Text.Json;
using UNetSharp.Experiments;

namespace UNetSharp.Tests.Experiments;

/// <summary>The experiment runner on a tiny synthetic experiment (<see cref="TinyExperiment"/>, ~2 s): resumable, one row per case.</summary>
public sealed class ExperimentRunnerTests
{
    readonly TinyExperiment x = TinyExperiment.Shared;

    [Fact]
    public void AnInterruptedExperimentResumesWithoutRedoingFinishedRuns()
    {
        Assert.True(x.FirstPassInterrupted);
        Assert.Equal([("unet++", RunOutcome.Trained)], x.FirstPass);
        Assert.Equal([("unet++", RunOutcome.AlreadyDone), ("unet#", RunOutcome.Trained)], x.SecondPass);
        string first = Path.Combine(x.Spec.RunFolder("cells", "unet++", 7), RunRecord.FileName);
        Assert.Equal(x.FirstRecordAfterFirstPass, File.ReadAllBytes(first));        // not rewritten
        Assert.Equal(x.FirstRecordTimeAfterFirstPass, File.GetLastWriteTimeUtc(first));
        Assert.True(File.Exists(Path.Combine(x.Spec.RunFolder("cells", "unet#", 7), "report.html")));
    }

    [Fact]
    public void ResultsHoldEveryRunDepthAndCaseAndTheSummaryFollowsFromThem()
    {
        var lines = File.ReadAllLines(Path.Combine(x.Spec.OutputDirectory, ExperimentRunner.ResultsCsv));
        Assert.Equal("dataset,architecture,seed,depth,case,class,dice,iou,precision,recall,hd95,assd,seconds_per_case", lines[0]);
        // 6 cases, 20 % held out → 1 validation case (the split rule keeps at least one); 2 architectures × depths 1, 2 × 1 case × 1 class
        var rows = lines.Skip(1).Select(l => l.Split(',')).ToList();
        int validation = x.Result.Runs[0].Depths[0].Cases.Count;
        Assert.Equal(2 * 2 * validation, rows.Count);
        Assert.Equal(["unet#", "unet++"], rows.Select(r => r[1]).Distinct().Order());
        // the same validation cases in every run and depth
        Assert.Single(rows.GroupBy(r => r[1] + r[3]).Select(g => string.Join(";", g.Select(r => r[4]).Order())).Distinct());

        foreach (var row in x.Result.Summary)
        {
            var runs = x.Result.Runs.Where(r => r.Architecture == row.Architecture).ToList();
            var depth = runs.Single().Depths.Single(d => d.Depth == row.Depth);
            Assert.Equal(depth.Cases.Select(c => c.Dice).Where(d => !double.IsNaN(d)).DefaultIfEmpty(double.NaN).Average(), row.Dice.Mean, 12);
            Assert.Equal(1, row.Runs);
            Assert.NotNull(depth.PaperIou);
            Assert.InRange(depth.PaperIou!.Value, 0, 1);
        }
        Assert.Equal([1, 2], x.Result.Comparisons.Select(c => c.Depth));
        Assert.All(x.Result.Comparisons, c => Assert.Equal(("unet#", "unet++"), (c.Reference, c.Baseline)));

        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(x.Spec.OutputDirectory, ExperimentResult.SummaryJson)));
        Assert.Equal(2, summary.RootElement.GetProperty("budget").GetProperty("iterations").GetInt64());
        Assert.Equal(4, summary.RootElement.GetProperty("rows").GetArrayLength());
        Assert.Contains("| cells | unet# | L2 | 1 |", File.ReadAllText(Path.Combine(x.Spec.OutputDirectory, ExperimentResult.SummaryMarkdown)));
    }

    [Fact]
    public void ADifferentExperimentInTheSameFolderIsRefusedNamingTheSetting()
    {
        var e = Assert.Throws<ConfigurationException>(() => ExperimentRunner.Run(x.Spec with { Iterations = 3 }));
        Assert.Contains("'iterations' differs", e.Message);
        var lr = x.Spec with { Datasets = [x.Spec.Datasets[0] with { Settings = x.Spec.Datasets[0].Settings with { Optimisation = x.Spec.Datasets[0].Settings.Optimisation with { LearningRate = 0.1 } } }] };
        Assert.Contains("'datasets[0].settings.optimisation.lr' differs", Assert.Throws<ConfigurationException>(() => ExperimentRunner.Run(lr)).Message);
    }

    [Fact]
    public void AnExperimentRecordWrittenWithVersion1SettingsIsTheSameExperiment()
    {
        // experiments started before config.json version 2 kept their data sets' settings flat: they must still continue
        string path = Path.Combine(x.Spec.OutputDirectory, ExperimentRunner.SpecFile);
        string saved = File.ReadAllText(path);
        var old = System.Text.Json.Nodes.JsonNode.Parse(saved)!;
        string data = x.Spec.Datasets[0].Settings.Data;
        old["datasets"]![0]!["settings"] = System.Text.Json.Nodes.JsonNode.Parse(UNetSharp.Tests.Pipeline.OldRunFolderTests.Version1Config(data, "", epochs: 2));
        ExperimentRunner.CheckSameExperiment(old.ToJsonString(), saved, path);
        old["datasets"]![0]!["settings"]!["lr"] = 0.1;
        Assert.Contains("'datasets[0].settings.optimisation.lr' differs",
            Assert.Throws<ConfigurationException>(() => ExperimentRunner.CheckSameExperiment(old.ToJsonString(), saved, path)).Message);
    }
}
