using System.Text.Json;
using UNetSharp.Cli;
using UNetSharp.Data.Layouts;
using UNetSharp.Pipeline;
using UNetSharp.Settings;

namespace UNetSharp.Tests.Pipeline;

/// <summary>A test set kept out of a run (exclude_cases): never in a split or fold, saved in config.json, unknown ids refused.</summary>
public sealed class ExcludeCasesTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-exclude-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ExcludedCasesAppearInNoSplitAndNoFoldWhileTheOthersAreAllCovered()
    {
        var data = DatasetLayouts.Open(RunTestData.Cells(Path.Combine(dir, "data"), images: 8), LayoutOptions.Default);
        var excluded = new[] { data.CaseIds[6], data.CaseIds[1] };
        var subset = CaseSubsetDataset.Excluding(data, excluded);

        Assert.Equal(6, subset.Count);
        Assert.Equal(data.CaseIds.Except(excluded), subset.CaseIds);
        Assert.Equal(data.Load(data.CaseIds[2]).Image, subset.Load(data.CaseIds[2]).Image);   // cases keep their files
        Assert.Equal(data.CaseFilePaths(7), subset.CaseFilePaths(5));
        for (int seed = 1; seed <= 5; seed++)
        {
            var split = RunSplit.Create(subset, 0.25, seed, maxCases: null);
            Assert.Empty(split.Train.Concat(split.Val).Intersect(excluded));
            Assert.Equal(subset.CaseIds.Order(), split.Train.Concat(split.Val).Order());
            var folds = RunSplit.CreateFolds(subset, 3, seed, maxCases: null);
            Assert.Equal(subset.CaseIds.Order(), folds.SelectMany(f => f.Val).Order());       // each remaining case validates once
            Assert.All(folds, f => Assert.Empty(f.Train.Concat(f.Val).Intersect(excluded)));
        }
        Assert.Same(data, CaseSubsetDataset.Excluding(data, null));
    }

    [Fact]
    public void AnUnknownOrRepeatedIdOrTooFewLeftIsRefusedNamingTheSetting()
    {
        var data = DatasetLayouts.Open(RunTestData.Cells(Path.Combine(dir, "data"), images: 4), LayoutOptions.Default);
        var e = Assert.Throws<ConfigurationException>(() => CaseSubsetDataset.Excluding(data, ["nope"]));
        Assert.Equal($"exclude_cases: case 'nope' is not in the data set {data.Root}", e.Message);
        Assert.Contains("named twice", Assert.Throws<ConfigurationException>(() => CaseSubsetDataset.Excluding(data, [data.CaseIds[0], data.CaseIds[0]])).Message);
        Assert.Contains("leaves 1; a run needs at least 2", Assert.Throws<ConfigurationException>(() => CaseSubsetDataset.Excluding(data, data.CaseIds.Skip(1).ToList())).Message);
    }

    [Fact]
    public void TrainWithAnUnknownExcludedCaseExitsTwoWithOneLineAndWritesNothing()
    {
        string data = RunTestData.Cells(Path.Combine(dir, "data"), images: 4);
        string run = Path.Combine(dir, "run");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        int code = CliApp.Run(["train", "--data", data, "--out", run, "--exclude-cases", "cells_000, nope", "--epochs", "1"], stdout, stderr);

        Assert.Equal(CliApp.BadInput, code);
        var lines = stderr.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal($"error: exclude_cases: case 'nope' is not in the data set {data}", Assert.Single(lines));
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void TheSettingRoundTripsThroughConfigJsonAndTheTrainFlag()
    {
        var options = RunTestData.Tiny("d", "r").With(s => s with { Dataset = s.Dataset with { ExcludeCases = ["b", "a"] } });
        string json = RunSettingsFile.ToJson(options.Settings);
        using (var doc = JsonDocument.Parse(json))
            Assert.Equal(["b", "a"], doc.RootElement.GetProperty("dataset").GetProperty("exclude_cases").EnumerateArray().Select(e => e.GetString()));
        File.WriteAllText(Path.Combine(dir, "config.json"), json);
        Assert.Equal(["b", "a"], RunSettingsFile.Load(dir).Dataset.ExcludeCases);

        var flag = UNetSharp.Cli.Commands.TrainCommand.Resolve(new UNetSharp.Cli.Commands.TrainCommand.Settings { Data = dir, Out = Path.Combine(dir, "run"), ExcludeCases = " x ,y" });
        Assert.Equal(["x", "y"], flag.Settings.Dataset.ExcludeCases);
    }
}
