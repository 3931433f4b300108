using System.Text.Json;
using UNetSharp.Cli.Commands;
using UNetSharp.Data;
using UNetSharp.Data.Layouts;
using UNetSharp.Pipeline;
using UNetSharp.Planning;

namespace UNetSharp.Tests.Pipeline;

/// <summary>k-fold splits (nnU-Net's splits_final.json) and the post-processing rule chosen on cross-validation.</summary>
public sealed class CrossValidationSplitTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-cv-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void FoldsAreDeterministicDisjointAndValidateEveryCaseOnce()
    {
        var data = DatasetLayouts.Open(RunTestData.Cells(Path.Combine(dir, "data"), images: 11), LayoutOptions.Default);
        var folds = RunSplit.CreateFolds(data, 3, seed: 4, maxCases: null);
        var again = RunSplit.CreateFolds(data, 3, seed: 4, maxCases: null);
        Assert.Equal(JsonSerializer.Serialize(folds), JsonSerializer.Serialize(again));
        Assert.NotEqual(JsonSerializer.Serialize(folds), JsonSerializer.Serialize(RunSplit.CreateFolds(data, 3, seed: 5, maxCases: null)));

        Assert.Equal(3, folds.Count);
        var validated = folds.SelectMany(f => f.Val).ToList();
        Assert.Equal(data.CaseIds.Order(StringComparer.Ordinal), validated.Order(StringComparer.Ordinal)); // every case once
        foreach (var fold in folds)
        {
            Assert.Empty(fold.Train.Intersect(fold.Val));
            Assert.Equal(data.CaseIds.Order(StringComparer.Ordinal), fold.Train.Concat(fold.Val).Order(StringComparer.Ordinal));
            Assert.Equal(fold.Val.Order(StringComparer.Ordinal), fold.Val);
        }
        Assert.Equal(new[] { 3, 4, 4 }, folds.Select(f => f.Val.Count).Order()); // 11 cases: sizes differ by at most one

        RunSplit.SaveFolds(dir, folds);
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, RunSplit.FileName))); // splits_final.json: [{"train": [...], "val": [...]}, ...]
        Assert.Equal(3, doc.RootElement.GetArrayLength());
        Assert.Equal(folds[2].Val, doc.RootElement[2].GetProperty("val").EnumerateArray().Select(e => e.GetString()!).ToList());
        Assert.Equal(JsonSerializer.Serialize(folds), JsonSerializer.Serialize(RunSplit.LoadFolds(dir)));
    }

    [Fact]
    public void MoreFoldsThanCasesIsRefused()
    {
        var data = DatasetLayouts.Open(RunTestData.Cells(Path.Combine(dir, "data"), images: 3), LayoutOptions.Default);
        var e = Assert.Throws<ConfigurationException>(() => RunSplit.CreateFolds(data, 5, seed: 1, maxCases: null));
        Assert.Contains("5 folds", e.Message);
    }
}

public sealed class PostProcessingSelectionTests
{
    const int H = 12, W = 12;

    /// <summary>A 12x12 case from rows of '.', '1', '2' (reference) and a prediction drawn the same way.</summary>
    static (SegmentationCase Case, int[] Prediction) Case(string id, string reference, string prediction)
    {
        static int[] Parse(string s) => s.Where(ch => ch is '.' or '1' or '2').Select(ch => ch == '.' ? 0 : ch - '0').ToArray();
        var label = Parse(reference);
        Assert.Equal(H * W, label.Length);
        return (new SegmentationCase(id, new float[H * W], 1, [H, W], label, [1.0, 1.0]), Parse(prediction));
    }

    const string Disc = """
        ............
        ..1111......
        ..1111......
        ..1111......
        ..1111......
        ............
        ............
        ............
        ............
        ............
        ............
        ............
        """;

    [Fact]
    public void KeepLargestIsOnWhereAnIslandIsFalseAndOffWhereItIsASecondTrueObject()
    {
        // the prediction adds a false island: removing it raises Dice
        var helps = Case("helps", Disc, """
            ............
            ..1111......
            ..1111......
            ..1111......
            ..1111......
            ............
            ............
            ............
            .........11.
            .........11.
            ............
            ............
            """);
        var (plan, classes) = PostProcessingSelection.Choose(PostProcessingSelection.Score(0, 2, helps.Case, helps.Prediction, 1).ToList(), "test");
        Assert.Equal(new[] { 1 }, plan.KeepLargest);
        Assert.Equal(2 * 16.0 / (20 + 16), classes[0].Raw, 12);   // 16 true, 4 false voxels
        Assert.Equal(1.0, classes[0].KeepLargest, 12);

        // the reference has two objects and the prediction finds both: keeping the largest drops a true one
        const string two = """
            ............
            ..1111......
            ..1111......
            ..1111......
            ..1111......
            ............
            ............
            ............
            .........11.
            .........11.
            ............
            ............
            """;
        var hurts = Case("hurts", two, two);
        (plan, classes) = PostProcessingSelection.Choose(PostProcessingSelection.Score(0, 2, hurts.Case, hurts.Prediction, 1).ToList(), "test");
        Assert.Empty(plan.KeepLargest);
        Assert.Equal(1.0, classes[0].Raw, 12);
        Assert.Equal(2 * 16.0 / (16 + 20), classes[0].KeepLargest, 12);
    }

    [Fact]
    public void HoleFillingIsChosenPerClassAndOnlyWhereItRaisesTheMeanDice()
    {
        // class 1: a disc predicted with a hole (filling helps); class 2: a ring predicted as a ring (filling hurts)
        var c = Case("two-classes", """
            ............
            .1111.......
            .1111.......
            .1111.......
            .1111.......
            ............
            ......22222.
            ......2...2.
            ......2...2.
            ......2...2.
            ......22222.
            ............
            """, """
            ............
            .1111.......
            .1..1.......
            .1..1.......
            .1111.......
            ............
            ......22222.
            ......2...2.
            ......2...2.
            ......2...2.
            ......22222.
            ............
            """);
        var rows = PostProcessingSelection.Score(1, 3, c.Case, c.Prediction, 2).ToList();
        var (plan, classes) = PostProcessingSelection.Choose(rows, "test");
        Assert.Equal(new[] { 1 }, plan.FillHoles);
        Assert.Empty(plan.KeepLargest); // one component per class: keep-largest changes nothing, and "no better" stays off
        Assert.Equal(2 * 12.0 / (12 + 16), classes[0].Raw, 12);
        Assert.Equal(1.0, classes[0].FillHoles, 12);
        Assert.Equal(1.0, classes[1].Raw, 12);
        Assert.Equal(2 * 16.0 / (16 + 25), classes[1].FillHoles, 12);

        // the plan applies exactly the chosen clean-ups to a byte label map as predict writes it
        var labels = c.Prediction.Select(v => (byte)v).ToArray();
        Assert.Equal(4, plan.Apply(labels, [H, W]));
        Assert.Equal(c.Case.Label!.Select(v => (byte)v), labels);
    }

    [Fact]
    public void CaseRowsSurviveTheCsvWithCommasInIdsAndUndefinedDice()
    {
        string path = Path.Combine(Path.GetTempPath(), $"unetsharp-cvcases-{Guid.NewGuid():N}.csv");
        try
        {
            var rows = new List<CaseClassDice> { new(2, 3, "a,\"b\"", 1, 0.5, 0.75, double.NaN, 1), new(0, 1, "plain", 2, 0.1, 0.2, 0.3, 0.4) };
            PostProcessingSelection.WriteCsv(path, rows);
            var back = PostProcessingSelection.ReadCsv(path);
            Assert.Equal(rows, back);
        }
        finally { File.Delete(path); }
    }
}

/// <summary>`train --folds` end to end on a tiny set: folds in their own folders, splits.json once, the summary and the choices in every fold's plan.</summary>
[Trait("Category", "Slow")]
public sealed class CrossValidationRunTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-cvrun-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void ThreeFoldsWriteOneSplitFileOneFolderPerFoldAndASummaryThatASecondCallReuses()
    {
        string data = RunTestData.Cells(Path.Combine(dir, "data"), images: 6);
        string parent = Path.Combine(dir, "cv");
        var options = RunTestData.Tiny(data, parent, epochs: 1).With(s => s with { Validation = s.Validation with { Folds = 3, Fold = 1 } });
        Assert.True(CrossValidation.Applies(options));
        Assert.Throws<ConfigurationException>(() => TrainingRun.Run(options));

        var first = CrossValidation.Run(options);
        Assert.Equal(new[] { 1 }, first.FoldsRun);
        Assert.Null(first.Summary); // two folds still to train
        string splits = File.ReadAllText(Path.Combine(parent, RunSplit.FileName));
        var folds = RunSplit.LoadFolds(parent);
        Assert.Equal(folds[1].Val, RunSplit.Load(CrossValidation.FoldFolder(parent, 1)).Val);
        Assert.False(Directory.Exists(CrossValidation.FoldFolder(parent, 0)));

        // the second call (all folds) reuses splits.json, skips the finished fold and summarises
        var all = CrossValidation.Run(options.With(s => s with { Validation = s.Validation with { Fold = null } }));
        Assert.Equal(new[] { 0, 2 }, all.FoldsRun);
        Assert.Equal(splits, File.ReadAllText(Path.Combine(parent, RunSplit.FileName)));
        var summary = Assert.IsType<CrossValidationSummary>(all.Summary);
        for (int k = 0; k < 3; k++)
        {
            Assert.Equal(folds[k].Val, RunSplit.Load(CrossValidation.FoldFolder(parent, k)).Val);
            Assert.Null(ExperimentPlan.Load(CrossValidation.FoldFolder(parent, k)).PredictionDepth); // plan.json stays as planned
            var plan = InferenceChoices.PlanFor(CrossValidation.FoldFolder(parent, k)); // the choices are in inference.json
            Assert.Equal(summary.ChosenDepth, plan.PredictionDepth);
            Assert.Equal(summary.PostProcessing.KeepLargest, plan.PostProcessing!.KeepLargest);
            Assert.Equal(summary.PostProcessing.FillHoles, plan.PostProcessing.FillHoles);
            Assert.Equal(summary.PostProcessing.ChosenOn, plan.PostProcessing.ChosenOn);
        }
        // pooled over every fold's validation cases: 6 cases per depth, with the mean and sd of the per-case values
        var rows = Enumerable.Range(0, 3).SelectMany(k => PostProcessingSelection.ReadCsv(Path.Combine(CrossValidation.FoldFolder(parent, k), CrossValidation.CasesFileName))).ToList();
        Assert.Equal(6, rows.Where(r => r.Depth == 2).Select(r => r.Case).Distinct().Count());
        var dice = rows.Where(r => r.Depth == 2 && !double.IsNaN(r.Dice)).Select(r => r.Dice).ToList();
        var stats = summary.Depths[2].Single();
        Assert.Equal(dice.Average(), stats.Mean, 12);
        Assert.Equal(Math.Sqrt(dice.Sum(d => (d - dice.Average()) * (d - dice.Average())) / (dice.Count - 1)), stats.StandardDeviation, 12);
        using var json = JsonDocument.Parse(File.ReadAllText(summary.JsonPath));
        Assert.Equal(stats.Mean, json.RootElement.GetProperty("depths").GetProperty("L2").GetProperty("classes").GetProperty("1").GetProperty("dice_mean").GetDouble(), 5);
        Assert.Equal(3, File.ReadAllLines(summary.CsvPath).Length); // header + class 1 at depths L1 and L2

        // a fold count that disagrees with splits.json is refused, naming the file
        var e = Assert.Throws<ConfigurationException>(() => CrossValidation.Run(options.With(s => s with { Validation = s.Validation with { Folds = 4, Fold = null } })));
        Assert.Contains("folds", e.Message);
    }
}

public sealed class TimeBudgetFlagTests
{
    [Fact]
    public void DurationsReadAsSeconds()
    {
        Assert.Equal(2700, TrainCommand.ParseDuration("45m", "--time-budget"));
        Assert.Equal(5400, TrainCommand.ParseDuration("1h30m", "--time-budget"));
        Assert.Equal(90, TrainCommand.ParseDuration("90s", "--time-budget"));
        Assert.Equal(120.5, TrainCommand.ParseDuration("120.5", "--time-budget"));
        Assert.Contains("--time-budget", Assert.Throws<ConfigurationException>(() => TrainCommand.ParseDuration("45 minutes", "--time-budget")).Message);
        Assert.Throws<ConfigurationException>(() => TrainCommand.ParseDuration("0m", "--time-budget"));
    }
}
