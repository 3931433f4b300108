using System.Text.Json;
using UNetSharp.Cli.Commands;
using UNetSharp.Pipeline;
using UNetSharp.Tests.Training;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;
using UNetSharp.Training.Losses;

namespace UNetSharp.Tests.Pipeline;

/// <summary>
/// The persisted run configuration: config.json is flat snake_case with string enums, feeds back as --config to
/// reproduce a run, and is all `train --resume --out RUN` needs (with splits.json); conflicting flags are refused.
/// </summary>
[Collection(SerialTorchCollection.Name)] // trains: seeds torch's global generator
public sealed class RunConfigurationTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-runconfig-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Path_(string name) => Path.Combine(root, name);

    [Fact]
    public void ConfigJsonIsFlatSnakeCaseWithStringEnumsAndReadsBackUnchanged()
    {
        var options = RunTestData.Tiny("d", "r") with
        {
            Augmentation = AugmentationPreset.NnUNet,
            Training = new TrainingConfig { Optimizer = OptimizerKind.Sgd, Loss = new LossOptions { Kind = LossKind.BceDice }, Patience = 4 },
        };
        Directory.CreateDirectory(Path_("run"));
        RunConfiguration.From(options).Save(Path_("run"));
        using var doc = JsonDocument.Parse(File.ReadAllText(Path_("run/config.json")));
        var json = doc.RootElement;
        Assert.Equal("sgd", json.GetProperty("optimizer").GetString());
        Assert.Equal("bce_dice", json.GetProperty("loss").GetString());
        Assert.Equal("nnunet", json.GetProperty("augment").GetString());
        Assert.Equal(3, json.GetProperty("batches_per_epoch").GetInt32());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("iterations").ValueKind);
        Assert.All(json.EnumerateObject(), p => Assert.Matches("^[a-z0-9_]+$", p.Name));

        var back = RunConfiguration.Load(Path_("run")).ToOptions();
        Assert.Equal(RunConfiguration.From(options).ToJson(), RunConfiguration.From(back).ToJson());
        Assert.Equal(options.Training, back.Training); // records: every training setting, the loss included
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
        TrainingRun.Run(RunTestData.Tiny(data, run, epochs: 1) with { BatchesPerEpoch = 2 });

        var resumed = TrainCommand.Resolve(new TrainCommand.Settings { Resume = true, Out = run, Epochs = 2 });
        Assert.True(resumed.Resume);
        Assert.Equal(2, resumed.BatchesPerEpoch); // from config.json, not the default 50 (the old "the run had 2 batches per epoch" error)
        Assert.Equal(9, resumed.Training.Seed);
        Assert.Equal(4, resumed.DataSeed);
        var result = TrainingRun.Run(resumed);

        Assert.Equal(2, result.Epochs);
        Assert.Equal(2, RunConfiguration.Load(run).Epochs); // the run's configuration now says 2 epochs
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
        RunConfiguration.From(RunTestData.Tiny(RunTestData.Cells(Path_("data")), run) with { Training = new TrainingConfig { Seed = 12345, Epochs = 2 } }).Save(run);

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
        RunConfiguration.From(RunTestData.Tiny(data, run, epochs: 1)).Save(run);

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

/// <summary>A tripwire: a setting added to the run's options must be added to config.json too, or a resumed or repeated run would silently lose it.</summary>
public sealed class RunConfigurationCoverageTests
{
    [Fact]
    public void EverySettingOfTheRunOptionsHasAConfigJsonKey()
    {
        var nullability = new System.Reflection.NullabilityInfoContext();
        // a settings object is walked into; an optional one (null: off, e.g. the instance task) adds a key for its presence
        IEnumerable<string> Leaves(Type type, string prefix) => type.GetProperties()
            .Where(p => p.SetMethod is not null && p.Name is not ("Logger" or "CurvePlotter" or "Resume"))
            .SelectMany(p => p.PropertyType.Namespace!.StartsWith("UNetSharp", StringComparison.Ordinal) && p.PropertyType.IsClass
                ? Leaves(p.PropertyType, prefix + p.Name + ".").Concat(nullability.Create(p).ReadState == System.Reflection.NullabilityState.Nullable ? [prefix + p.Name] : [])
                : [prefix + p.Name]);
        var settings = Leaves(typeof(TrainRunOptions), "").Order(StringComparer.Ordinal).ToList();
        // each maps to one key of RunConfiguration (see From/ToOptions); the counts must agree
        Assert.Equal(settings.Count, RunConfiguration.Keys.Count);
        var options = RunTestData.Tiny("d", "r") with { Plan = RunTestData.Tiny("d", "r").Plan with { MaxCaseVoxels = 12345, SampleCases = 3 } };
        Assert.Equal(RunConfiguration.From(options).ToJson(), RunConfiguration.From(RunConfiguration.From(options).ToOptions()).ToJson());
    }
}
