using System.Text.Json;
using System.Text.Json.Nodes;
using UNetSharp.Cli;
using UNetSharp.Cli.Commands;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Prediction;
using UNetSharp.Settings;
using UNetSharp.Tests.Training;

namespace UNetSharp.Tests.Pipeline;

/// <summary>
/// Run folders written before config.json version 2 and inference.json: a flat config.json (no_cgm, no version) and a
/// plan.json that also holds the chosen depth, the post-processing and the recipe. Predict and resume must keep working
/// on them; the fixture is the old format written out by hand, over a tiny run's checkpoints.
/// </summary>
[Collection(SerialTorchCollection.Name)]
public sealed class OldRunFolderTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-oldrun-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    /// <summary>config.json as version 1 wrote it for <see cref="RunTestData.Tiny"/> (every key, flat, in its order).</summary>
    internal static string Version1Config(string data, string run, int epochs = 1) => $$"""
        {
          "data": {{JsonSerializer.Serialize(data)}},
          "out": {{JsonSerializer.Serialize(run)}},
          "arch": "unet#", "dims": null, "depth": 2, "widths": [4, 8, 16], "patch": [32, 32], "batch": 2, "memory_budget": null,
          "no_cgm": false, "no_deep_supervision": false, "norm": null, "normalization": null, "layout": "auto", "binary_foreground": 255,
          "gray": false, "sample_cases": 40, "max_case_voxels": 16777216, "instances": false, "border_width": 2,
          "epochs": {{epochs}}, "iterations": null, "batches_per_epoch": 3, "foreground_ratio": 0.3333333333333333, "lr": 0.003, "min_lr": 1E-05,
          "optimizer": "adam", "momentum": 0.9, "nesterov": false, "schedule": "cosine", "time_budget": null, "weight_decay": 0.0001,
          "warmup": 0, "validate_every": 1, "patience": null, "clip": null, "seed": 9, "head_init": "default", "threads": null,
          "loss": "auto", "ds_weights": "mean", "cgm_weight": 1, "batch_dice": false, "class_weights": null, "focal_alpha": 0.25,
          "focal_gamma": 2, "augment": "unetsharp", "val_fraction": 0.2, "max_cases": null, "exclude_cases": null, "data_seed": 4,
          "folds": null, "fold": null, "overlays": 0, "surface_distances": false
        }
        """;

    [Fact, Trait("Category", "Slow")] // two tiny trainings, a few seconds
    public void AVersion1FolderPredictsWithItsPlansDepthAndResumesWithItsSettings()
    {
        string data = RunTestData.Cells(Path.Combine(dir, "data"));
        string run = Path.Combine(dir, "run");
        TrainingRun.Run(RunTestData.Tiny(data, run, epochs: 1));
        var folder = new UNetSharp.IO.RunFolder(run);
        // the old format: flat config.json; the depth, post-processing and recipe inside plan.json; no inference.json
        File.WriteAllText(folder.Config, Version1Config(Path.GetFullPath(data), Path.GetFullPath(run)));
        var plan = JsonNode.Parse(File.ReadAllText(folder.Plan))!.AsObject();
        plan["prediction_depth"] = 1;
        plan["post_processing"] = new JsonObject { ["keep_largest"] = new JsonArray(1), ["fill_holes"] = new JsonArray(), ["chosen_on"] = "old run" };
        plan["recipe"] = new JsonObject { ["optimizer"] = "adam", ["epochs"] = 1 };
        File.WriteAllText(folder.Plan, plan.ToJsonString());
        File.Delete(folder.Inference);

        var settings = RunSettingsFile.Load(run);
        Assert.Equal(RunSettingsFile.ToJson(RunTestData.TinySettings(Path.GetFullPath(data), Path.GetFullPath(run), epochs: 1)), RunSettingsFile.ToJson(settings));
        using (var model = PredictionModel.Load(run))
        {
            Assert.Equal(1, model.DepthFor(null));
            Assert.Equal([1], model.Plan.PostProcessing!.KeepLargest);
        }

        string oldPlan = File.ReadAllText(folder.Plan);
        var resumed = TrainingRun.Run(TrainCommand.Resolve(new TrainCommand.Settings { Resume = true, Out = run, Epochs = 2 }));
        Assert.Equal(2, resumed.Epochs);
        Assert.Equal(oldPlan, File.ReadAllText(folder.Plan)); // not rewritten: the new choice goes to inference.json
        Assert.Equal(resumed.ChosenDepth, InferenceChoices.Load(run).ChosenDepth);
        Assert.Equal(RunSettings.CurrentVersion, JsonNode.Parse(File.ReadAllText(folder.Config))!["version"]!.GetValue<int>());
        using (var model = PredictionModel.Load(run))
        {
            Assert.Equal(resumed.ChosenDepth, model.DepthFor(null));
            Assert.Equal([1], model.Plan.PostProcessing!.KeepLargest); // the old plan's post-processing still applies
        }
    }

    [Fact, Trait("Category", "Slow")]
    public void TheDepthToleranceSettingChoosesThePredictionDepth()
    {
        // the worked example of a setting added by one field, one flag row and its use
        string data = RunTestData.Cells(Path.Combine(dir, "data"));
        var options = TrainCommand.Resolve(new TrainCommand.Settings { Config = WriteConfig(data), Out = Path.Combine(dir, "run"), DepthTolerance = 0.99 });
        Assert.Equal("tolerance:0.99", options.Settings.Validation.DepthRule); // the former flag is the rule tolerance:D
        var result = TrainingRun.Run(options);
        Assert.Equal(1, result.ChosenDepth); // every depth is within 0.99 of the best: the smallest is chosen
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "run", TrainingRun.MetricsFileName)));
        Assert.Contains("within 0.99 of the best", metrics.RootElement.GetProperty("depth_rule").GetString());
        Assert.Equal("tolerance:0.99", RunSettingsFile.Load(Path.Combine(dir, "run")).Validation.DepthRule);
    }

    string WriteConfig(string data)
    {
        string path = Path.Combine(dir, "tiny.json");
        RunSettingsFile.Save(RunTestData.TinySettings(data, "", epochs: 1), dir);
        File.Move(Path.Combine(dir, "config.json"), path);
        return path;
    }

    [Fact]
    public void ABadValueInAConfigFileIsOneLineNamingFileAndKeyExitTwoNothingWritten()
    {
        string run = Path.Combine(dir, "run");
        string path = Path.Combine(dir, "bad.yaml");
        File.WriteAllText(path, $"data: {dir}\nout: {run}\nhead_init: sometimes\n");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(CliApp.BadInput, CliApp.Run(["train", "--config", path], stdout, stderr));
        Assert.Equal($"error: {path}: 'head_init' must be default or prior, got 'sometimes'", stderr.ToString().Trim());
        Assert.False(Directory.Exists(run));

        // a version-2 config.json with a bad value, fed back: the nested key is named as its setting
        File.WriteAllText(Path.Combine(dir, "c.json"), """{ "version": 2, "optimisation": { "lr": "fast" } }""");
        var e = Assert.Throws<DataFormatException>(() => SettingValues.Load(Path.Combine(dir, "c.json")).ApplyTo(RunSettings.Default));
        Assert.Equal($"{Path.Combine(dir, "c.json")}: 'lr' has an invalid value 'fast'", e.Message);
    }
}
