using System.Text.Json;
using UNetSharp.Cli.Commands;
using UNetSharp.Pipeline;
using UNetSharp.Settings;
using UNetSharp.Tests.Training;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;
using UNetSharp.Training.Losses;

namespace UNetSharp.Tests.Pipeline;

/// <summary>
/// The persisted run settings: config.json is snake_case nested by stage with string enums, feeds back as --config to
/// reproduce a run, and is all `train --resume --out RUN` needs (with splits.json); conflicting flags are refused.
/// </summary>
[Collection(SerialTorchCollection.Name)] // trains: seeds torch's global generator
public sealed class RunSettingsFileTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-runconfig-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Path_(string name) => Path.Combine(root, name);

    [Fact]
    public void ConfigJsonIsSnakeCaseNestedByStageWithStringEnumsAndReadsBackUnchanged()
    {
        var options = RunTestData.Tiny("d", "r").With(s => s with
        {
            Augmentation = s.Augmentation with { Preset = AugmentationPreset.NnUNet },
            Optimisation = s.Optimisation with { Optimizer = OptimizerKind.Sgd },
            Loss = s.Loss with { Kind = LossKind.BceDice },
            Validation = s.Validation with { Patience = 4 },
        });
        Directory.CreateDirectory(Path_("run"));
        RunSettingsFile.Save(options.Settings, Path_("run"));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path_("run/config.json")));
        var json = doc.RootElement;
        Assert.Equal(RunSettings.CurrentVersion, json.GetProperty("version").GetInt32());
        Assert.Equal("sgd", json.GetProperty("optimisation").GetProperty("optimizer").GetString());
        Assert.Equal("bce_dice", json.GetProperty("loss").GetProperty("loss").GetString());
        Assert.Equal("nnunet", json.GetProperty("augmentation").GetProperty("augment").GetString());
        Assert.Equal(3, json.GetProperty("optimisation").GetProperty("batches_per_epoch").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("optimisation").GetProperty("iterations").ValueKind);
        Assert.Equal("auto", json.GetProperty("dataset").GetProperty("layout").GetString()); // enums snake_case, not "Auto"
        Assert.All(json.EnumerateObject().SelectMany(p => p.Value.ValueKind == JsonValueKind.Object ? p.Value.EnumerateObject().Append(p) : [p]),
            p => Assert.Matches("^[a-z0-9_]+$", p.Name));

        var back = RunSettingsFile.Load(Path_("run"));
        Assert.Equal(RunSettingsFile.ToJson(options.Settings), RunSettingsFile.ToJson(back));
        Assert.Equal(options.Training, new TrainRunOptions { Settings = back }.Training); // records: every training setting, the loss included
    }

    [Fact]
    public void SameConfigFileReproducesTheRunsHistory()
    {
        string data = RunTestData.Cells(Path_("data"));
        TrainingRun.Run(RunTestData.Tiny(data, Path_("x")));

        // the regression: config.json used to hold PascalCase nested keys that --config refused ("unknown option 'DataDirectory'")
        var again = TrainCommand.Resolve(new TrainCommand.Settings { Config = Path_("x/config.json"), Out = Path_("y") });
        TrainingRun.Run(again);

        Assert.Equal(3, RunTestData.Curve(Path_("y")).Length); // header + 2 epochs
        Assert.Equal(RunTestData.Curve(Path_("x")), RunTestData.Curve(Path_("y")));
    }

    [Fact]
    public void ResumeNeedsOnlyTheRunFolderAndAppliesMoreEpochs()
    {
        string data = RunTestData.Cells(Path_("data"));
        string run = Path_("run");
        TrainingRun.Run(RunTestData.Tiny(data, run, epochs: 1).With(s => s with { Optimisation = s.Optimisation with { BatchesPerEpoch = 2 } }));

        var resumed = TrainCommand.Resolve(new TrainCommand.Settings { Resume = true, Out = run, Epochs = 2 });
        Assert.True(resumed.Resume);
        Assert.Equal(2, resumed.Settings.Optimisation.BatchesPerEpoch); // from config.json, not the default 50 (the old "the run had 2 batches per epoch" error)
        Assert.Equal(9, resumed.Training.Seed);
        Assert.Equal(4, resumed.Settings.Dataset.DataSeed);
        var result = TrainingRun.Run(resumed);

        Assert.Equal(2, result.Epochs);
        Assert.Equal(2, RunSettingsFile.Load(run).Optimisation.Epochs); // the run's configuration now says 2 epochs
        var state = CheckpointFile.Read(Path.Combine(run, Trainer.LastCheckpointName)).State;
        Assert.Equal(4, state.Iteration);
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, TrainingRun.MetricsFileName)));
        double seconds = metrics.RootElement.GetProperty("training_seconds").GetDouble();
        Assert.Equal(Math.Round(state.TrainingSeconds, 1), seconds);
        Assert.True(seconds >= Math.Round(state.History.Sum(h => h.Seconds), 1) - 0.1,
            $"training_seconds {seconds} must include the first process's epoch too ({string.Join(", ", state.History.Select(h => h.Seconds))})");
    }

    [Fact]
    public void ResumeRefusesAFlagThatConflictsWithTheRunNamingIt()
    {
        string run = Path_("run");
        Directory.CreateDirectory(run);
        var tiny = RunTestData.TinySettings(RunTestData.Cells(Path_("data")), run);
        RunSettingsFile.Save(tiny with { Optimisation = tiny.Optimisation with { Seed = 12345, Epochs = 2 } }, run);

        var e = Assert.Throws<ConfigurationException>(() => TrainCommand.Resolve(new TrainCommand.Settings { Resume = true, Out = run, Seed = 7 }));
        Assert.Equal($"--seed 7 conflicts with the run's seed 12345 ({Path.Combine(run, "config.json")}); start a new run or drop the flag", e.Message);
        Assert.StartsWith("--val-fraction 0.5 conflicts with the run's val_fraction 0.2",
            Assert.Throws<ConfigurationException>(() => TrainCommand.Resolve(new TrainCommand.Settings { Resume = true, Out = run, ValFraction = 0.5 })).Message);
        Assert.StartsWith("--epochs 1 conflicts", // fewer epochs than the run has is no "more epochs"
            Assert.Throws<ConfigurationException>(() => TrainCommand.Resolve(new TrainCommand.Settings { Resume = true, Out = run, Epochs = 1 })).Message);
        // allowed: the same value again, more epochs, threads, patience
        Assert.StartsWith("--seed 12345 conflicts with the run's data_seed 4", // --seed seeds the split too
            Assert.Throws<ConfigurationException>(() => TrainCommand.Resolve(new TrainCommand.Settings { Resume = true, Out = run, Seed = 12345 })).Message);
        var ok = TrainCommand.Resolve(new TrainCommand.Settings { Resume = true, Out = run, Epochs = 5, Threads = 1, Patience = 3 });
        Assert.Equal((5, 1, 3), (ok.Training.Epochs, ok.Training.Threads, ok.Training.Patience));
        // nothing to resume: the message names the missing file in --out, not a parent's plan.json
        string missing = Path_("nope");
        Assert.StartsWith(Path.Combine(missing, "config.json"),
            Assert.Throws<DataFormatException>(() => TrainCommand.Resolve(new TrainCommand.Settings { Resume = true, Out = missing })).Message);
    }

    [Fact]
    public void ResumeBeforeTheFirstCheckpointStartsCleanly()
    {
        // issue 15 item 14: a run killed before its first checkpoint left config.json but no last.ckpt; --resume failed
        string data = RunTestData.Cells(Path_("data"));
        string run = Path_("run");
        Directory.CreateDirectory(run);
        RunSettingsFile.Save(RunTestData.TinySettings(data, run, epochs: 1), run);

        var result = TrainingRun.Run(TrainCommand.Resolve(new TrainCommand.Settings { Resume = true, Out = run }));
        Assert.Equal(1, result.Epochs);
        Assert.True(File.Exists(Path.Combine(run, RunSplit.FileName)));
        Assert.True(File.Exists(Path.Combine(run, "plan.json")));
    }

    [Fact]
    public void SplitsJsonIsNnUNetsFormatAndAResumeValidatesOnItsCases()
    {
        string data = RunTestData.Cells(Path_("data"));
        string run = Path_("run");
        TrainingRun.Run(RunTestData.Tiny(data, run, epochs: 1));
        using (var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, RunSplit.FileName))))
        {
            var fold = Assert.Single(doc.RootElement.EnumerateArray().ToList());
            Assert.Equal(5, fold.GetProperty("train").GetArrayLength()); // 6 cases, 20 % validate: 1
            Assert.Equal(1, fold.GetProperty("val").GetArrayLength());
        }
        // the split file, not the seed, decides: swap one training case into validation and resume
        var split = RunSplit.Load(run);
        var edited = new RunSplit(split.Train.Skip(1).ToList(), split.Val.Append(split.Train[0]).Order().ToList());
        edited.Save(run);
        TrainingRun.Run(TrainCommand.Resolve(new TrainCommand.Settings { Resume = true, Out = run, Epochs = 2 }));
        using var metrics = JsonDocument.Parse(File.ReadAllText(Path.Combine(run, TrainingRun.MetricsFileName)));
        Assert.Equal(edited.Val, metrics.RootElement.GetProperty("validation_cases").EnumerateArray().Select(e => e.GetString()!).ToList());
    }
}

/// <summary>
/// Tripwires: every setting of <see cref="RunSettings"/> has its train flag (the flag table covers the record, and every
/// row binds a setting), so a setting cannot be added to the record and forgotten on the command line, or the reverse.
/// </summary>
public sealed class RunSettingsCoverageTests
{
    [Fact]
    public void EverySettingHasOneFlagAndEveryFlagBindsASetting()
    {
        // a former flag kept as an alias (--depth-tolerance D: the depth rule tolerance:D) binds the former key, which sets the setting
        var bound = TrainCommand.Table.Where(r => !SettingKeys.Aliases.ContainsKey(r.Binds.Key)).GroupBy(r => r.Binds.Key).ToDictionary(g => g.Key, g => g.Select(r => r.Flag).ToList());
        Assert.All(TrainCommand.Table.Where(r => SettingKeys.Aliases.ContainsKey(r.Binds.Key)), r => Assert.NotNull(SettingKeys.Find(SettingKeys.Aliases[r.Binds.Key])));
        Assert.DoesNotContain(SettingKeys.All, k => !bound.ContainsKey(k.Key));
        Assert.DoesNotContain(bound.Keys, k => SettingKeys.Find(k) is null);
        Assert.All(bound, b => Assert.Single(b.Value));
    }

    [Fact]
    public void TheDefaultsTheFlagsHelpNamesAreTheRecords()
    {
        // help text is prose, so a default is written there too: this keeps it the record's (numbers as rounded in prose)
        var defaults = RunSettingsFile.Values(RunSettings.Default);
        foreach (var (flag, binds, property) in TrainCommand.Table)
        {
            var description = property.GetCustomAttributes(typeof(System.ComponentModel.DescriptionAttribute), false).Cast<System.ComponentModel.DescriptionAttribute>().Single().Description;
            var match = System.Text.RegularExpressions.Regex.Match(description, @"\(default (?<v>(?:[^\s:;,)]|:(?=\S))+)");
            if (!match.Success || binds.Negated || defaults[binds.Key] == "null") continue;
            var setting = SettingKeys.Find(binds.Key)!;
            string help = SettingText.Parse(setting, match.Groups["v"].Value, flag).ToJsonString().Trim('"');
            if (double.TryParse(help, System.Globalization.CultureInfo.InvariantCulture, out double h) && double.TryParse(defaults[binds.Key], System.Globalization.CultureInfo.InvariantCulture, out double d))
                Assert.True(Math.Abs(h - d) <= 0.02 * Math.Abs(d), $"{flag}: help says {h}, the record {d}");
            else Assert.True(help == defaults[binds.Key], $"{flag}: help says {help}, the record {defaults[binds.Key]}");
        }
    }

    [Fact]
    public void SettingsRoundTripThroughConfigJsonAndBuildTheEngineTypesTheSameWay()
    {
        var settings = RunTestData.TinySettings("d", "r") with { Plan = RunTestData.TinySettings("d", "r").Plan with { MaxCaseVoxels = 12345, SampleCases = 3 } };
        var node = System.Text.Json.Nodes.JsonNode.Parse(RunSettingsFile.ToJson(settings))!;
        var back = System.Text.Json.JsonSerializer.Deserialize<RunSettings>(node, UNetSharp.IO.ProjectJson.Options)!;
        Assert.Equal(RunSettingsFile.ToJson(settings), RunSettingsFile.ToJson(back));
        Assert.Equal((12345L, 3), (back.PlanOptions().MaxCaseVoxels, back.PlanOptions().SampleCases));
    }
}
