using System.Text.Json;
using System.Text.Json.Nodes;
using UNetSharp.Data.Layouts;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Prediction;
using UNetSharp.Reporting;
using UNetSharp.Settings;
using UNetSharp.Tests.Training;
using UNetSharp.Training;

namespace UNetSharp.Tests.Pipeline;

/// <summary>
/// `train --fold all` after a 2-fold cross-validation on a tiny set: every case trained on, no validation split, the
/// depth and post-processing of the cross-validation, refused (nothing written) without one or with other settings;
/// predict on the cross-validation folder with the fold ensemble or the all model; the per-depth cost table in
/// metrics.json, cv_summary.json and report.html.
/// </summary>
[Collection(SerialTorchCollection.Name), Trait("Category", "Slow")]
public sealed class AllFoldTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-allfold-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    static TrainRunOptions AllFoldOf(TrainRunOptions options) => options.With(s => s with { Validation = s.Validation with { Fold = FoldSelection.All, Folds = null } });

    [Fact]
    public void AfterATwoFoldCrossValidationTheAllFoldTrainsOnEveryCaseWithItsChoicesAndPredicts()
    {
        string data = RunTestData.Cells(Path.Combine(dir, "data"), images: 6);
        string parent = Path.Combine(dir, "cv");
        var options = RunTestData.Tiny(data, parent, epochs: 1);
        var all = AllFoldOf(options);

        // no cross-validation yet: refused, nothing written
        var e = Assert.Throws<ConfigurationException>(() => TrainingRun.Run(all));
        Assert.Contains("holds no cross-validation", e.Message);
        Assert.False(Directory.Exists(parent));

        var cv = CrossValidation.Run(options.With(s => s with { Validation = s.Validation with { Folds = 2 } }));
        var summary = Assert.IsType<CrossValidationSummary>(cv.Summary);

        // every fold's metrics.json and the summary show each depth's Dice and speed, the chosen one marked
        foreach (var fold in cv.Results.Values)
        {
            var table = JsonNode.Parse(File.ReadAllText(fold.MetricsPath))!["depth_table"]!.AsArray();
            Assert.Equal([1, 2], table.Select(r => r!["depth"]!.GetValue<int>()));
            Assert.All(table, r => Assert.True(r!["ms_per_case"]!.GetValue<double>() > 0));
            Assert.Equal(fold.ChosenDepth, table.Single(r => r!["chosen"]!.GetValue<bool>())!["depth"]!.GetValue<int>());
            Assert.Equal(Math.Round(fold.DiceByDepth[1], 5), table[0]!["mean_dice"]!.GetValue<double>());
        }
        var cvJson = JsonNode.Parse(File.ReadAllText(summary.JsonPath))!;
        var cvTable = cvJson["depth_table"]!.AsArray();
        Assert.Equal(summary.ChosenDepth, cvTable.Single(r => r!["chosen"]!.GetValue<bool>())!["depth"]!.GetValue<int>());
        // the cross-validation's speed of a depth is the mean of the folds' measured times
        double meanSeconds = cv.Results.Values.Average(r => Math.Round(r.SecondsPerCaseByDepth[2], 4));
        Assert.Equal(Math.Round(meanSeconds * 1000, 3), cvTable[1]!["ms_per_case"]!.GetValue<double>(), 3);

        // other settings than the cross-validation's: refused naming the first that differs, nothing written
        e = Assert.Throws<ConfigurationException>(() => TrainingRun.Run(all.With(s => s with { Optimisation = s.Optimisation with { LearningRate = 0.01 } })));
        Assert.Contains("its lr 0.01 differs from the cross-validation's lr 0.003", e.Message);
        Assert.False(Directory.Exists(AllFold.Folder(parent)));

        var result = TrainingRun.Run(all);
        string allFolder = AllFold.Folder(parent);
        Assert.Equal(Path.GetFullPath(allFolder), Path.GetFullPath(result.RunDirectory));
        var ids = DatasetLayouts.Open(data, LayoutOptions.Default).CaseIds.Order(StringComparer.Ordinal).ToList();
        using (var splits = JsonDocument.Parse(File.ReadAllText(Path.Combine(allFolder, RunSplit.FileName))))
        {
            Assert.Equal(ids, splits.RootElement[0].GetProperty("train").EnumerateArray().Select(v => v.GetString()!).ToList()); // every case
            Assert.Equal(0, splits.RootElement[0].GetProperty("val").GetArrayLength()); // no validation split
        }
        Assert.Equal((6, 0), (result.TrainingCases, result.ValidationCases));
        Assert.False(File.Exists(Path.Combine(allFolder, Trainer.BestCheckpointName))); // never validated: no best checkpoint
        Assert.Equal("all", RunSettingsFile.Load(allFolder).Validation.Fold.ToString());

        // depth and post-processing are the cross-validation's
        var plan = InferenceChoices.PlanFor(allFolder);
        Assert.Equal(summary.ChosenDepth, plan.PredictionDepth);
        Assert.Equal(summary.PostProcessing.KeepLargest, plan.PostProcessing!.KeepLargest);
        Assert.Equal(summary.PostProcessing.FillHoles, plan.PostProcessing.FillHoles);
        Assert.Equal(summary.PostProcessing.ChosenOn, plan.PostProcessing.ChosenOn);
        var metrics = JsonNode.Parse(File.ReadAllText(result.MetricsPath))!;
        Assert.Empty(metrics["validation_cases"]!.AsArray());
        Assert.Contains("2-fold cross-validation", metrics["depth_source"]!.GetValue<string>());
        Assert.Equal(cvTable.ToJsonString(), metrics["depth_table"]!.ToJsonString());

        // report.html shows the depth table (the all fold's from its cross-validation)
        string html = File.ReadAllText(RunReport.Write(result));
        Assert.Contains("Prediction depth: the rule and what it costs", html);
        Assert.Contains("ms / case", html);
        Assert.Contains($"chose L{summary.ChosenDepth}", html);

        // predict: the folder's fold ensemble never includes fold_all; the all model on request
        Assert.Equal([CrossValidation.FoldFolder(parent, 0), CrossValidation.FoldFolder(parent, 1)], ModelPaths.Expand([parent]));
        Assert.Equal([allFolder], ModelPaths.Expand([parent], CrossValidationModel.All));
        string image = Directory.EnumerateFiles(Path.Combine(data, "images")).Order(StringComparer.Ordinal).First();
        var report = PredictionJob.Run(new PredictionJobOptions
        {
            Model = parent, CrossValidationModel = CrossValidationModel.All, Input = image, OutputDir = Path.Combine(dir, "pred"),
        });
        Assert.Equal(1, report.Succeeded);
        var model = Assert.Single(report.Models);
        Assert.Equal(Path.GetFullPath(allFolder), Path.GetDirectoryName(Path.GetFullPath(model.Model)));
        Assert.Equal(summary.ChosenDepth, model.Depth);

        // finished: not trained again
        Assert.Contains("finished already", Assert.Throws<ConfigurationException>(() => TrainingRun.Run(all)).Message);

        // the run-folder verifier accepts the all fold (no validation cases, no best checkpoint) and refuses one whose
        // training list is not every case of its cross-validation
        Assert.Contains(RunFolderVerifier.Verify(allFolder).Checked, c => c.Contains("the all fold of"));
        string allSplits = Path.Combine(allFolder, RunSplit.FileName);
        File.WriteAllText(allSplits, JsonSerializer.Serialize(new[] { new { train = ids.Skip(1).ToList(), val = Array.Empty<string>() } }));
        var wrong = Assert.Throws<DataFormatException>(() => RunFolderVerifier.Verify(allFolder));
        Assert.Contains("fold all \"train\"", wrong.Message);
    }

    [Fact]
    public void WithoutACrossValidationOnlyAnExplicitDepthAndNoPostProcessingTrainTheAllFold()
    {
        string data = RunTestData.Cells(Path.Combine(dir, "data"), images: 4);
        string parent = Path.Combine(dir, "alone");
        var all = AllFoldOf(RunTestData.Tiny(data, parent, epochs: 1));
        // the network depth is set (2) but post-processing is not turned off: refused
        Assert.Contains("--depth L --no-postprocessing", Assert.Throws<ConfigurationException>(() => TrainingRun.Run(all)).Message);
        Assert.False(Directory.Exists(parent));

        var result = TrainingRun.Run(all.With(s => s with { Validation = s.Validation with { Postprocessing = false } }));
        Assert.Equal((4, 0), (result.TrainingCases, result.ValidationCases));
        var choices = InferenceChoices.Load(result.RunDirectory);
        Assert.Equal(2, choices.ChosenDepth); // the full depth it was given
        Assert.Null(choices.PostProcessing);
    }

    [Fact]
    public void AFoldAllFolderIsNoMemberOfTheFoldEnsemble()
    {
        // a cross-validation folder with two folds and an all fold, checkpoints as files: the ensemble is the numbered folds
        string parent = Path.Combine(dir, "cv");
        foreach (string name in new[] { "fold_0", "fold_1", "fold_all" })
        {
            Directory.CreateDirectory(Path.Combine(parent, name));
            File.WriteAllText(Path.Combine(parent, name, Trainer.LastCheckpointName), "");
        }
        Assert.Equal([Path.Combine(parent, "fold_0"), Path.Combine(parent, "fold_1")], ModelPaths.Expand([parent]));
    }
}
