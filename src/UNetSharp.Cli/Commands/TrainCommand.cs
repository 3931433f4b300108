using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Data.Layouts;
using UNetSharp.Instances;
using UNetSharp.IO;
using UNetSharp.Models;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Reporting;
using UNetSharp.Training;
using UNetSharp.Training.Losses;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// `unetsharp train --data DIR --out RUN [--config FILE] [flags]`: every value may come from the config file (JSON or
/// YAML, keys named like the flags, snake_case or with dashes, e.g. "epochs: 50", "arch: unet#") and is overridden by a
/// flag. The resolved settings are saved in RUN/config.json, itself a valid config file; `--resume --out RUN` reloads it.
/// </summary>
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <DIR>"), Description("data set folder: paired images/ + labels/, DSB 2018 or MSD/nnU-Net imagesTr + labelsTr (required here or in --config)")] public string? Data { get; init; }
        [CommandOption("--out <RUN>"), Description("run folder to create (required here or in --config)")] public string? Out { get; init; }
        [CommandOption("--config <FILE>"), Description("JSON or YAML file with any of these options, keys named like the flags without dashes; flags override it")] public string? Config { get; init; }
        [CommandOption("--arch <ARCH>"), Description("unet | unet++ | unet3+ | unet# (default unet#)")] public string? Arch { get; init; }
        [CommandOption("--dims <DIMS>"), Description("2 or 3 (default: the data's); 2 on volumes trains a 2D network on slices across the coarsest axis (nnU-Net's 2d), 3 on images is refused")] public int? Dims { get; init; }
        [CommandOption("--depth <L>"), Description("number of down-samplings, 1..8 (default: planned from the data, at most 4)")] public int? Depth { get; init; }
        [CommandOption("--widths <LIST>"), Description("channels per level, depth + 1 values, e.g. 32,64,128,256,512 (default: planned)")] public string? Widths { get; init; }
        [CommandOption("--patch <SIZE>"), Description("patch size, e.g. 256x256 or 48x64x48, each a multiple of 2^depth (default: planned)")] public string? Patch { get; init; }
        [CommandOption("--batch <N>"), Description("patches per step, at least 1 (default: planned)")] public int? Batch { get; init; }
        [CommandOption("--memory-budget <SIZE>"), Description("memory one training step may use, e.g. 6GiB, 512MiB, 4GB or bytes (B, KiB/MiB/GiB, KB/MB/GB); batch and patch are planned to fit it, a given --batch/--patch over it is refused (default 4GiB, over it only warned)")] public string? MemoryBudget { get; init; }
        [CommandOption("--epochs <N>"), Description("training epochs, at least 1 (default 50)")] public int? Epochs { get; init; }
        [CommandOption("--iterations <N>"), Description("iteration budget instead of epochs (default: epochs x batches per epoch)")] public long? Iterations { get; init; }
        [CommandOption("--batches-per-epoch <N>"), Description("optimiser steps per epoch, at least 1 (default 50)")] public int? BatchesPerEpoch { get; init; }
        [CommandOption("--time-budget <TIME>"), Description("wall-clock budget of the training loop, e.g. 45m, 1h30m, 900s or 900 (seconds): the steps that fit are measured after the first steps, then fixed and saved in config.json as 'iterations' (default: none, --epochs)")] public string? TimeBudget { get; init; }
        [CommandOption("--folds <K>"), Description("k-fold cross-validation: splits.json with K folds in --out (written once, reused), one run per fold in --out/fold_k, a summary over all folds (default: one split by --val-fraction)")] public int? Folds { get; init; }
        [CommandOption("--fold <K>"), Description("train only fold K (0-based) of the cross-validation in --out (default: every fold; folds 5 unless --folds)")] public int? Fold { get; init; }
        [CommandOption("--foreground-ratio <F>"), Description("fraction of training patches centred on a foreground voxel, 0..1 (default 0.33, nnU-Net's oversampling)")] public double? ForegroundRatio { get; init; }
        [CommandOption("--lr <LR>"), Description("initial learning rate, a positive finite number (default 0.001)")] public double? Lr { get; init; }
        [CommandOption("--optimizer <NAME>"), Description("adam | adamw | sgd (default adam)")] public string? Optimizer { get; init; }
        [CommandOption("--schedule <KIND>"), Description("learning-rate decay after warm-up: cosine | poly (nnU-Net's (1 - t/T)^0.9, at the floor on the last step) (default cosine)")] public string? Schedule { get; init; }
        [CommandOption("--momentum <M>"), Description("SGD momentum, from 0 up to but excluding 1 (default 0.9; nnU-Net 0.99)")] public double? Momentum { get; init; }
        [CommandOption("--nesterov"), Description("SGD with Nesterov momentum, as nnU-Net (default: off)")] public bool? Nesterov { get; init; }
        [CommandOption("--weight-decay <W>"), Description("L2 weight decay, 0 or more (default 0.0001)")] public double? WeightDecay { get; init; }
        [CommandOption("--warmup <EPOCHS>"), Description("linear learning-rate warm-up in epochs, 0 or more (default 0)")] public double? Warmup { get; init; }
        [CommandOption("--patience <EPOCHS>"), Description("early stopping after this many epochs without a better validation Dice (default: never)")] public int? Patience { get; init; }
        [CommandOption("--clip <NORM>"), Description("gradient clipping norm, positive (default: no clipping)")] public double? Clip { get; init; }
        [CommandOption("--loss <KIND>"), Description("auto | bce-dice | hybrid | ce-dice (default auto: bce-dice for one class, ce-dice otherwise)")] public string? Loss { get; init; }
        [CommandOption("--class-weights <LIST>"), Description("ce-dice: cross-entropy weight per output class, class 0 first, e.g. 1,1,5 to raise the instance border (default: all 1)")] public string? ClassWeights { get; init; }
        [CommandOption("--head-init <KIND>"), Description("how the heads' output biases start: default (PyTorch's) | prior (the training cases' class frequencies, against a main head stuck at background) (default prior)")] public string? HeadInit { get; init; }
        [CommandOption("--ds-weights <KIND>"), Description("deep-supervision weighting: mean | halving (default mean)")] public string? DsWeights { get; init; }
        [CommandOption("--no-cgm"), Description("leave out the two classification-guided modules (default: built)")] public bool? NoCgm { get; init; }
        [CommandOption("--no-deep-supervision"), Description("leave out the deep-supervision heads; the network then cannot be pruned (default: built)")] public bool? NoDeepSupervision { get; init; }
        [CommandOption("--augment <KIND>"), Description("none | unetsharp | nnunet (default unetsharp: the UNet# authors' rot90, flip and intensity)")] public string? Augment { get; init; }
        [CommandOption("--val-fraction <F>"), Description("fraction of cases held out for validation, in (0, 1) (default 0.2)")] public double? ValFraction { get; init; }
        [CommandOption("--exclude-cases <IDS>"), Description("case ids kept out of the run entirely, comma-separated (a test set: never planned on, trained or validated on; an unknown id is refused) (default: none)")] public string? ExcludeCases { get; init; }
        [CommandOption("--max-cases <N>"), Description("use at most N cases, at least 2: one to train, one to validate (default: all)")] public int? MaxCases { get; init; }
        [CommandOption("--seed <N>"), Description("seed of weights, split and patch sampling (default: 12345 for weights, 1 for the data)")] public int? Seed { get; init; }
        [CommandOption("--threads <N>"), Description("torch intra-op threads, at least 1 (default: all cores)")] public int? Threads { get; init; }
        [CommandOption("--binary-foreground <V>"), Description("in label images holding only 0 and 255, the value that is class 1: 255 or 0 (default 255)")] public int? BinaryForeground { get; init; }
        [CommandOption("--gray"), Description("convert colour images to one gray channel (default: keep RGB)")] public bool? Gray { get; init; }
        [CommandOption("--resume"), Description("continue the run in --out from its last checkpoint; its settings, split and seeds are reloaded (only --epochs/--iterations more, --threads, --patience may change)")] public bool? Resume { get; init; }
        [CommandOption("--validate-every <N>"), Description("validate after every N-th epoch and after the last (default 1)")] public int? ValidateEvery { get; init; }
        [CommandOption("--instances"), Description("instance segmentation: learn background/interior/border from instance labels (DSB masks, instance label maps); predict then writes instance maps")] public bool? Instances { get; init; }
        [CommandOption("--border-width <PX>"), Description("with --instances: border thickness in voxels (default 2)")] public double? BorderWidth { get; init; }
        [CommandOption("--quiet"), Description("only warnings, errors and the final summary")] public bool? Quiet { get; init; }
        [CommandOption("--verbose"), Description("also loss parts per epoch and debug messages")] public bool? Verbose { get; init; }

        /// <summary>Values that are wrong whatever the data or config file say; the library checks the rest by setting name.</summary>
        public override Spectre.Console.ValidationResult Validate() => FlagChecks.First(
            FlagChecks.AtLeast("--epochs", Epochs, 1), FlagChecks.AtLeast("--iterations", Iterations, 1), FlagChecks.AtLeast("--batch", Batch, 1),
            FlagChecks.AtLeast("--batches-per-epoch", BatchesPerEpoch, 1), FlagChecks.AtLeast("--depth", Depth, 1), FlagChecks.AtLeast("--patience", Patience, 1),
            FlagChecks.AtLeast("--threads", Threads, 1), FlagChecks.AtLeast("--max-cases", MaxCases, 2), FlagChecks.OneOf("--dims", Dims, 2, 3),
            FlagChecks.OneOf("--binary-foreground", BinaryForeground, 0, 255), FlagChecks.AtLeast("--validate-every", ValidateEvery, 1), FlagChecks.Positive("--border-width", BorderWidth),
            FlagChecks.Positive("--lr", Lr), FlagChecks.Positive("--clip", Clip), FlagChecks.NonNegative("--weight-decay", WeightDecay),
            FlagChecks.NonNegative("--warmup", Warmup), FlagChecks.AtLeast("--folds", Folds, 2), 
            ForegroundRatio is double fr && !(fr >= 0 && fr <= 1) ? Spectre.Console.ValidationResult.Error($"--foreground-ratio must be from 0 to 1, got {fr}") : Spectre.Console.ValidationResult.Success(), FlagChecks.AtLeast("--fold", Fold, 0),
            Folds is int k && Fold is int f && f >= k ? Spectre.Console.ValidationResult.Error($"--fold {f} must be below --folds {k}") : Spectre.Console.ValidationResult.Success(),
            Momentum is double m && !(m >= 0 && m < 1) ? Spectre.Console.ValidationResult.Error($"--momentum must be from 0 up to but excluding 1, got {m}") : Spectre.Console.ValidationResult.Success(),
            TimeBudget is not null && Iterations is not null && Resume != true ? Spectre.Console.ValidationResult.Error("--time-budget and --iterations both set the run's length; give one") : Spectre.Console.ValidationResult.Success(), FlagChecks.OpenUnit("--val-fraction", ValFraction), FlagChecks.Folder("--out", Out), FlagChecks.Bytes("--memory-budget", MemoryBudget),
            Resume == true && Out is not null && !Directory.Exists(Out) ? Spectre.Console.ValidationResult.Error($"--resume: there is no run folder at --out {Out}") : Spectre.Console.ValidationResult.Success());
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var console = new RunConsole(RunConsole.VerbosityOf(s.Quiet, s.Verbose));
        var options = Resolve(s) with { Logger = console.Logger, CurvePlotter = TrainingCurves.Plotter };
        console.Header($"[bold]train[/] {Markup.Escape(options.Plan.Architecture)} on {Markup.Escape(options.DataDirectory)} → {Markup.Escape(options.RunDirectory)}{(options.Resume ? " (resumed)" : "")}");
        using var interrupt = new InterruptSignals(cancellationToken);
        try
        {
            if (CrossValidation.Applies(options))
            {
                var cv = CrossValidation.Run(options, console.EpochLines(), interrupt.Token, console.StepProgress());
                foreach (var fold in cv.Results.Values) RunReport.Write(fold);
                console.Summary(cv);
            }
            else
            {
                var result = TrainingRun.Run(options, console.EpochLines(), interrupt.Token, console.StepProgress());
                RunReport.Write(result);
                console.Summary(result);
            }
            return 0;
        }
        catch (OperationCanceledException) when (interrupt.Interrupted)
        {
            console.Stopped(options.RunDirectory, resume: $"unetsharp train --resume --out {options.RunDirectory}");
            return InterruptSignals.ExitCode;
        }
    }

    /// <summary>
    /// Flag, else config file, else the baseline: the library's defaults for a new run; the run's own config.json for
    /// --resume, where a flag that would change a setting the run cannot change is refused, naming it.
    /// </summary>
    public static TrainRunOptions Resolve(Settings s)
    {
        var file = s.Config is null ? new ConfigValues() : ConfigValues.Load(s.Config);
        bool resume = s.Resume ?? false;
        var baseline = new RunConfiguration();
        if (resume)
        {
            string folder = s.Out ?? file.String("out") ?? throw new ConfigurationException("--resume needs --out, the run folder to continue");
            string path = Path.Combine(folder, TrainingRun.ConfigFileName);
            if (!File.Exists(path))
                throw new DataFormatException(path, "not found, so there is no run to resume in --out; start a new run without --resume");
            baseline = RunConfiguration.Load(folder) with { RunDirectory = folder };
        }
        var requested = Apply(baseline, s, file);
        if (resume)
        {
            var (_, conflicts) = RunConfiguration.CompareForResume(baseline, requested);
            if (conflicts.FirstOrDefault() is { } c)
                throw new ConfigurationException($"{(c.Key == "data_seed" && s.Seed is not null ? "--seed" : FlagOf(c.Key))} {c.Requested} conflicts with the run's {c.Key} {c.Saved} ({Path.Combine(requested.RunDirectory, TrainingRun.ConfigFileName)}); start a new run or drop the flag");
        }
        if (requested.DataDirectory.Length == 0) throw new ConfigurationException("--data is required (or 'data' in the config file)");
        if (requested.RunDirectory.Length == 0) throw new ConfigurationException("--out is required (or 'out' in the config file)");
        if (!Directory.Exists(requested.DataDirectory)) throw new DataFormatException(requested.DataDirectory, "data folder not found");
        var options = requested.ToOptions() with { Resume = resume };
        options.Training.Validate();
        if (requested.Dimensions is int d)
        {
            var actual = DatasetLayouts.Open(requested.DataDirectory, options.Plan.Layout).Metadata.Dimensions;
            if (actual != d && !(d == 2 && actual == 3))
                throw new ConfigurationException($"--dims {d} does not match the data set in {requested.DataDirectory}, which is {actual}D (--dims 2 trains on a volume's slices; images cannot train a 3D network)");
        }
        return options;
    }

    /// <summary>The configuration with each setting taken from its flag, else the config file, else the baseline.</summary>
    internal static RunConfiguration Apply(RunConfiguration b, Settings s, ConfigValues file)
    {
        string? widths = s.Widths ?? file.String("widths");
        string? patch = s.Patch ?? file.String("patch");
        string? classWeights = s.ClassWeights ?? file.String("class_weights");
        int? dims = s.Dims ?? file.Int("dims");
        return new RunConfiguration
        {
            DataDirectory = s.Data ?? file.String("data") ?? b.DataDirectory,
            RunDirectory = s.Out ?? file.String("out") ?? b.RunDirectory,
            Architecture = s.Arch ?? file.String("arch") ?? b.Architecture,
            Dimensions = dims ?? b.Dimensions,
            Depth = s.Depth ?? file.Int("depth") ?? b.Depth,
            Widths = widths is null ? b.Widths : NetworkSettings.ParseList(widths, "--widths"),
            PatchSize = patch is null ? b.PatchSize : NetworkSettings.ParseSize(patch, dims ?? patch.Split('x', ',').Length, "--patch").Select(v => (int)v).ToArray(),
            BatchSize = s.Batch ?? file.Int("batch") ?? b.BatchSize,
            MemoryBudget = (s.MemoryBudget ?? file.String("memory_budget")) is string memory ? FlagChecks.ParseBytes(memory, "--memory-budget") : b.MemoryBudget,
            NoCgm = s.NoCgm ?? file.Bool("no_cgm") ?? b.NoCgm,
            NoDeepSupervision = s.NoDeepSupervision ?? file.Bool("no_deep_supervision") ?? b.NoDeepSupervision,
            Norm = Choice<NormKind>(null, file, "norm") ?? b.Norm,
            Normalization = Choice<NormalizationKind>(null, file, "normalization") ?? b.Normalization,
            Layout = Choice<DatasetLayoutKind>(null, file, "layout") ?? b.Layout,
            BinaryForeground = s.BinaryForeground ?? file.Int("binary_foreground") ?? b.BinaryForeground,
            Gray = s.Gray ?? file.Bool("gray") ?? b.Gray,
            SampleCases = file.Int("sample_cases") ?? b.SampleCases,
            MaxCaseVoxels = file.Long("max_case_voxels") ?? b.MaxCaseVoxels,
            Instances = s.Instances ?? file.Bool("instances") ?? b.Instances,
            BorderWidth = s.BorderWidth ?? file.Double("border_width") ?? b.BorderWidth,
            Epochs = s.Epochs ?? file.Int("epochs") ?? b.Epochs,
            Iterations = s.Iterations ?? file.Long("iterations") ?? b.Iterations,
            BatchesPerEpoch = s.BatchesPerEpoch ?? file.Int("batches_per_epoch") ?? b.BatchesPerEpoch,
            ForegroundRatio = s.ForegroundRatio ?? file.Double("foreground_ratio") ?? b.ForegroundRatio,
            LearningRate = s.Lr ?? file.Double("lr") ?? b.LearningRate,
            MinLearningRate = file.Double("min_lr") ?? b.MinLearningRate,
            Optimizer = Choice<OptimizerKind>(s.Optimizer, file, "optimizer") ?? b.Optimizer,
            Momentum = s.Momentum ?? file.Double("momentum") ?? b.Momentum,
            Nesterov = s.Nesterov ?? file.Bool("nesterov") ?? b.Nesterov,
            Schedule = Choice<ScheduleKind>(s.Schedule, file, "schedule") ?? b.Schedule,
            TimeBudgetSeconds = (s.TimeBudget ?? file.String("time_budget")) is string budget ? ParseDuration(budget, "--time-budget") : b.TimeBudgetSeconds,
            Folds = s.Folds ?? file.Int("folds") ?? b.Folds,
            Fold = s.Fold ?? file.Int("fold") ?? b.Fold,
            WeightDecay = s.WeightDecay ?? file.Double("weight_decay") ?? b.WeightDecay,
            WarmupEpochs = s.Warmup ?? file.Double("warmup") ?? b.WarmupEpochs,
            ValidateEvery = s.ValidateEvery ?? file.Int("validate_every") ?? b.ValidateEvery,
            Patience = s.Patience ?? file.Int("patience") ?? b.Patience,
            GradientClipNorm = s.Clip ?? file.Double("clip") ?? b.GradientClipNorm,
            Seed = s.Seed ?? file.Long("seed") ?? b.Seed,
            Threads = s.Threads ?? file.Int("threads") ?? b.Threads,
            Loss = Choice<LossKind>(s.Loss, file, "loss") ?? b.Loss,
            DeepSupervisionWeights = Choice<DeepSupervisionWeighting>(s.DsWeights, file, "ds_weights") ?? b.DeepSupervisionWeights,
            HeadInit = Choice<HeadInitKind>(s.HeadInit, file, "head_init") ?? b.HeadInit,
            CgmWeight = file.Double("cgm_weight") ?? b.CgmWeight,
            BatchDice = file.Bool("batch_dice") ?? b.BatchDice,
            ClassWeights = classWeights is null ? b.ClassWeights : NetworkSettings.ParseNumbers(classWeights, "--class-weights"),
            FocalAlpha = file.Double("focal_alpha") ?? b.FocalAlpha,
            FocalGamma = file.Double("focal_gamma") ?? b.FocalGamma,
            Augmentation = Choice<AugmentationPreset>(s.Augment is "unet#" ? "unetsharp" : s.Augment, file, "augment") ?? b.Augmentation,
            ValidationFraction = s.ValFraction ?? file.Double("val_fraction") ?? b.ValidationFraction,
            MaxCases = s.MaxCases ?? file.Int("max_cases") ?? b.MaxCases,
            ExcludeCases = (s.ExcludeCases ?? file.String("exclude_cases")) is string excluded ? ParseCaseIds(excluded) : b.ExcludeCases,
            DataSeed = s.Seed ?? file.Int("data_seed") ?? file.Int("seed") ?? b.DataSeed, // --seed seeds the split and loader too
            Overlays = file.Int("overlays") ?? b.Overlays,
            SurfaceDistances = file.Bool("surface_distances") ?? b.SurfaceDistances,
        };
    }

    /// <summary>"a,b,c" as case ids (spaces around commas dropped); an empty list is refused.</summary>
    internal static IReadOnlyList<string> ParseCaseIds(string text)
    {
        var ids = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return ids.Length > 0 ? ids : throw new ConfigurationException($"--exclude-cases must list at least one case id, got '{text}'");
    }

    /// <summary>Seconds from "45m", "1h30m", "1.5h", "90s" or a plain number of seconds; one-line error naming the flag.</summary>
    public static double ParseDuration(string text, string flag)
    {
        string t = text.Trim().ToLowerInvariant();
        if (double.TryParse(t, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double plain))
            return plain > 0 && double.IsFinite(plain) ? plain : throw new ConfigurationException($"{flag} must be a positive duration, got '{text}'");
        var parts = System.Text.RegularExpressions.Regex.Matches(t, @"(\d+(?:\.\d+)?)\s*(h|m|s)");
        if (parts.Count == 0 || string.Concat(parts.Select(p => p.Value)).Replace(" ", "") != t.Replace(" ", ""))
            throw new ConfigurationException($"{flag} must be a duration such as 45m, 1h30m, 90s or a number of seconds, got '{text}'");
        double seconds = parts.Sum(p => double.Parse(p.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) * p.Groups[2].Value switch { "h" => 3600, "m" => 60, _ => 1 });
        return seconds > 0 ? seconds : throw new ConfigurationException($"{flag} must be a positive duration, got '{text}'");
    }

    /// <summary>An enum setting from its flag or the config file, by its config.json name; '-' and '_' are the same.</summary>
    static T? Choice<T>(string? flag, ConfigValues file, string key) where T : struct, Enum
    {
        string? text = flag ?? file.String(key);
        if (text is null) return null;
        var names = Enum.GetValues<T>().ToDictionary(v => JsonSerializer.Serialize(v, ProjectJson.Options).Trim('"'), v => v);
        if (names.TryGetValue(ConfigValues.Normalize(text).ToLowerInvariant(), out var value)) return value;
        var choices = names.Keys.Select(n => n.Replace('_', '-')).ToList();
        throw new ConfigurationException($"{FlagOf(key)} must be {string.Join(", ", choices.SkipLast(1))} or {choices[^1]}, got '{text}'");
    }

    /// <summary>"--batches-per-epoch" for a setting that has a flag, else the config key in quotes.</summary>
    static string FlagOf(string key)
    {
        string flag = "--" + key.Replace('_', '-');
        return FlagNames.Value.Contains(flag) ? flag : $"'{key}'";
    }

    static readonly Lazy<HashSet<string>> FlagNames = new(() => typeof(Settings).GetProperties()
        .SelectMany(p => p.GetCustomAttributes(typeof(CommandOptionAttribute), false).Cast<CommandOptionAttribute>())
        .SelectMany(a => a.LongNames).Select(n => "--" + n).ToHashSet(StringComparer.Ordinal));
}
