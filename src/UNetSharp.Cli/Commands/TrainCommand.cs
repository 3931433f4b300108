using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Data.Layouts;
using UNetSharp.IO;
using UNetSharp.Pipeline;
using UNetSharp.Reporting;
using UNetSharp.Settings;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// `unetsharp train --data DIR --out RUN [--config FILE] [flags]`: every setting may come from the config file (JSON or
/// YAML, keys named like the flags, snake_case or with dashes, e.g. "epochs: 50", "arch: unet#") and is overridden by a
/// flag. The resolved settings are saved in RUN/config.json, itself a valid config file; `--resume --out RUN` reloads it.
/// Each flag below is one row binding it to a setting of <see cref="RunSettings"/> by key (<see cref="BindsAttribute"/>);
/// the defaults are the record's.
/// </summary>
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <DIR>"), Description("data set folder: paired images/ + labels/, DSB 2018 or MSD/nnU-Net imagesTr + labelsTr (required here or in --config)"), Binds("data")] public string? Data { get; init; }
        [CommandOption("--out <RUN>"), Description("run folder to create (required here or in --config)"), Binds("out")] public string? Out { get; init; }
        [CommandOption("--config <FILE>"), Description("JSON or YAML file with any of these options, keys named like the flags without dashes; flags override it")] public string? Config { get; init; }
        [CommandOption("--arch <ARCH>"), Description("unet | unet++ | unet3+ | unet# (default unet#)"), Binds("arch")] public string? Arch { get; init; }
        [CommandOption("--dims <DIMS>"), Description("2 or 3 (default: the data's); 2 on volumes trains a 2D network on slices across the coarsest axis (nnU-Net's 2d), 3 on images is refused"), Binds("dims")] public int? Dims { get; init; }
        [CommandOption("--depth <L>"), Description("number of down-samplings, 1..8 (default: planned from the data, at most 4)"), Binds("depth")] public int? Depth { get; init; }
        [CommandOption("--widths <LIST>"), Description("channels per level, depth + 1 values, e.g. 32,64,128,256,512 (default: planned)"), Binds("widths")] public string? Widths { get; init; }
        [CommandOption("--patch <SIZE>"), Description("patch size, e.g. 256x256 or 48x64x48, each a multiple of 2^depth (default: planned)"), Binds("patch")] public string? Patch { get; init; }
        [CommandOption("--batch <N>"), Description("patches per step, at least 1 (default: planned)"), Binds("batch")] public int? Batch { get; init; }
        [CommandOption("--memory-budget <SIZE>"), Description("memory one training step may use, e.g. 6GiB, 512MiB, 4GB or bytes (B, KiB/MiB/GiB, KB/MB/GB); batch and patch are planned to fit it, a given --batch/--patch over it is refused (default 4GiB, over it only warned)"), Binds("memory_budget")] public string? MemoryBudget { get; init; }
        [CommandOption("--epochs <N>"), Description("training epochs, at least 1 (default 50)"), Binds("epochs")] public int? Epochs { get; init; }
        [CommandOption("--iterations <N>"), Description("iteration budget instead of epochs (default: epochs x batches per epoch)"), Binds("iterations")] public long? Iterations { get; init; }
        [CommandOption("--batches-per-epoch <N>"), Description("optimiser steps per epoch, at least 1 (default 50)"), Binds("batches_per_epoch")] public int? BatchesPerEpoch { get; init; }
        [CommandOption("--time-budget <TIME>"), Description("wall-clock budget of the training loop, e.g. 45m, 1h30m, 900s or 900 (seconds): the steps that fit are measured after the first steps, then fixed and saved in config.json as 'iterations' (default: none, --epochs)"), Binds("time_budget")] public string? TimeBudget { get; init; }
        [CommandOption("--folds <K>"), Description("k-fold cross-validation: splits.json with K folds in --out (written once, reused), one run per fold in --out/fold_k, a summary over all folds (default: one split by --val-fraction)"), Binds("folds")] public int? Folds { get; init; }
        [CommandOption("--fold <K>"), Description("train only fold K (0-based) of the cross-validation in --out (default: every fold; folds 5 unless --folds); 'all': nnU-Net's all fold in --out/fold_all, trained on every case with no validation split, its prediction depth and post-processing taken from the finished cross-validation of the same settings in --out (refused without one, unless --depth and --no-postprocessing are both given)"), Binds("fold")] public string? Fold { get; init; }
        [CommandOption("--foreground-ratio <F>"), Description("fraction of training patches centred on a foreground voxel, 0..1 (default 0.33, nnU-Net's oversampling)"), Binds("foreground_ratio")] public double? ForegroundRatio { get; init; }
        [CommandOption("--lr <LR>"), Description("initial learning rate, a positive finite number (default 0.001)"), Binds("lr")] public double? Lr { get; init; }
        [CommandOption("--optimizer <NAME>"), Description("adam | adamw | sgd (default adam)"), Binds("optimizer")] public string? Optimizer { get; init; }
        [CommandOption("--schedule <KIND>"), Description("learning-rate decay after warm-up: cosine | poly (nnU-Net's (1 - t/T)^0.9, at the floor on the last step) (default cosine)"), Binds("schedule")] public string? Schedule { get; init; }
        [CommandOption("--momentum <M>"), Description("SGD momentum, from 0 up to but excluding 1 (default 0.9; nnU-Net 0.99)"), Binds("momentum")] public double? Momentum { get; init; }
        [CommandOption("--nesterov"), Description("SGD with Nesterov momentum, as nnU-Net (default: off)"), Binds("nesterov")] public bool? Nesterov { get; init; }
        [CommandOption("--weight-decay <W>"), Description("L2 weight decay, 0 or more (default 0.0001)"), Binds("weight_decay")] public double? WeightDecay { get; init; }
        [CommandOption("--warmup <EPOCHS>"), Description("linear learning-rate warm-up in epochs, 0 or more (default 0)"), Binds("warmup")] public double? Warmup { get; init; }
        [CommandOption("--patience <EPOCHS>"), Description("early stopping after this many epochs without a better validation Dice (default: never)"), Binds("patience")] public int? Patience { get; init; }
        [CommandOption("--clip <NORM>"), Description("gradient clipping norm, positive (default: no clipping)"), Binds("clip")] public double? Clip { get; init; }
        [CommandOption("--loss <KIND>"), Description("auto | bce-dice | hybrid | ce-dice (default auto: bce-dice for one class, ce-dice otherwise)"), Binds("loss")] public string? Loss { get; init; }
        [CommandOption("--class-weights <LIST>"), Description("ce-dice: cross-entropy weight per output class, class 0 first, e.g. 1,1,5 to raise the instance border (default: all 1)"), Binds("class_weights")] public string? ClassWeights { get; init; }
        [CommandOption("--head-init <KIND>"), Description("how the heads' output biases start: default (PyTorch's) | prior (the training cases' class frequencies, against a main head stuck at background) (default prior)"), Binds("head_init")] public string? HeadInit { get; init; }
        [CommandOption("--ds-weights <KIND>"), Description("deep-supervision weighting: mean | halving (default mean)"), Binds("ds_weights")] public string? DsWeights { get; init; }
        [CommandOption("--no-cgm"), Description("leave out the two classification-guided modules (default: built)"), Binds("cgm", Negated = true)] public bool? NoCgm { get; init; }
        [CommandOption("--no-deep-supervision"), Description("leave out the deep-supervision heads; the network then cannot be pruned (default: built)"), Binds("deep_supervision", Negated = true)] public bool? NoDeepSupervision { get; init; }
        [CommandOption("--augment <KIND>"), Description("none | unetsharp | nnunet (default unetsharp: the UNet# authors' rot90, flip and intensity)"), Binds("augment")] public string? Augment { get; init; }
        [CommandOption("--val-fraction <F>"), Description("fraction of cases held out for validation, in (0, 1) (default 0.2)"), Binds("val_fraction")] public double? ValFraction { get; init; }
        [CommandOption("--exclude-cases <IDS>"), Description("case ids kept out of the run entirely, comma-separated (a test set: never planned on, trained or validated on; an unknown id is refused) (default: none)"), Binds("exclude_cases")] public string? ExcludeCases { get; init; }
        [CommandOption("--max-cases <N>"), Description("use at most N cases, at least 2: one to train, one to validate (default: all)"), Binds("max_cases")] public int? MaxCases { get; init; }
        [CommandOption("--seed <N>"), Description("seed of weights, split and patch sampling (default: 12345 for weights, 1 for the data)"), Binds("seed")] public int? Seed { get; init; }
        [CommandOption("--threads <N>"), Description("torch intra-op threads, at least 1 (default: all cores)"), Binds("threads")] public int? Threads { get; init; }
        [CommandOption("--binary-foreground <V>"), Description("in label images holding only 0 and 255, the value that is class 1: 255 or 0 (default 255)"), Binds("binary_foreground")] public int? BinaryForeground { get; init; }
        [CommandOption("--gray"), Description("convert colour images to one gray channel (default: keep RGB)"), Binds("gray")] public bool? Gray { get; init; }
        [CommandOption("--min-lr <LR>"), Description("floor of the learning-rate decay, 0 up to --lr (default 0.00001)"), Binds("min_lr")] public double? MinLr { get; init; }
        [CommandOption("--norm <KIND>"), Description("batch | instance normalisation layers (default: planned, batch for 2D, instance for 3D)"), Binds("norm")] public string? Norm { get; init; }
        [CommandOption("--normalization <KIND>"), Description("intensity normalisation: unit-range | z-score | ct | none (default: planned from the modality)"), Binds("normalization")] public string? Normalization { get; init; }
        [CommandOption("--layout <KIND>"), Description("auto | paired-folders | dsb2018 | msd (default auto: detected from the folder)"), Binds("layout")] public string? Layout { get; init; }
        [CommandOption("--sample-cases <N>"), Description("cases read to plan from (shapes, labels, intensities) (default 40)"), Binds("sample_cases")] public int? SampleCases { get; init; }
        [CommandOption("--max-case-voxels <N>"), Description("volumes: the median case's voxel budget at the target spacing; larger data are planned coarser (default 16777216)"), Binds("max_case_voxels")] public long? MaxCaseVoxels { get; init; }
        [CommandOption("--cgm-weight <W>"), Description("weight of the classification-guided modules' BCE terms, 0 or more (default 1)"), Binds("cgm_weight")] public double? CgmWeight { get; init; }
        [CommandOption("--batch-dice"), Description("ce-dice: sum TP/FP/FN over the batch before the Dice ratio, as nnU-Net (default: per sample)"), Binds("batch_dice")] public bool? BatchDice { get; init; }
        [CommandOption("--focal-alpha <A>"), Description("hybrid loss: the focal term's alpha (default 0.25)"), Binds("focal_alpha")] public double? FocalAlpha { get; init; }
        [CommandOption("--focal-gamma <G>"), Description("hybrid loss: the focal term's gamma (default 2)"), Binds("focal_gamma")] public double? FocalGamma { get; init; }
        [CommandOption("--data-seed <N>"), Description("seed of the split and patch sampling alone (default: --seed's, else 1)"), Binds("data_seed")] public int? DataSeed { get; init; }
        [CommandOption("--overlays <N>"), Description("overlay PNGs written for this many validation cases (default 8)"), Binds("overlays")] public int? Overlays { get; init; }
        [CommandOption("--no-surface-distances"), Description("leave HD95/ASSD out of the final evaluation, slow on large volumes (default: computed)"), Binds("surface_distances", Negated = true)] public bool? NoSurfaceDistances { get; init; }
        [CommandOption("--depth-rule <RULE>"), Description("how the prediction depth is chosen from every pruned depth's mean validation Dice (with --folds: the mean over all folds) and measured time per case: accuracy (the best Dice) | tolerance:D (the smallest depth within D of the best) | fastest-within:D (the fastest depth within D of the best) | latency:T (the most accurate depth at most T per case, e.g. 12ms or 0.5s; else the fastest). metrics.json and report.html list every depth's Dice and ms per case (default tolerance:0.005)"), Binds("depth_rule")] public string? DepthRule { get; init; }
        [CommandOption("--depth-tolerance <D>"), Description("the same as --depth-rule tolerance:D, 0 up to 1"), Binds("depth_tolerance")] public double? DepthTolerance { get; init; }
        [CommandOption("--no-postprocessing"), Description("with --folds or --fold all: do not apply the post-processing chosen on the cross-validation (default: applied)"), Binds("postprocessing", Negated = true)] public bool? NoPostprocessing { get; init; }
        [CommandOption("--resume"), Description("continue the run in --out from its last checkpoint; its settings, split and seeds are reloaded (only --epochs/--iterations more, --threads, --patience may change)")] public bool? Resume { get; init; }
        [CommandOption("--validate-every <N>"), Description("validate after every N-th epoch and after the last (default 1)"), Binds("validate_every")] public int? ValidateEvery { get; init; }
        [CommandOption("--instances"), Description("instance segmentation: learn background/interior/border from instance labels (DSB masks, instance label maps); predict then writes instance maps"), Binds("instances")] public bool? Instances { get; init; }
        [CommandOption("--border-width <PX>"), Description("with --instances: border thickness in voxels (default 2)"), Binds("border_width")] public double? BorderWidth { get; init; }
        [CommandOption("--quiet"), Description("only warnings, errors and the final summary")] public bool? Quiet { get; init; }
        [CommandOption("--verbose"), Description("also loss parts per epoch and debug messages")] public bool? Verbose { get; init; }

        /// <summary>--fold as a number; null when absent or 'all' (any other text is refused when the settings are read).</summary>
        int? FoldNumber => int.TryParse(Fold, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out int f) ? f : null;

        /// <summary>Values that are wrong whatever the data or config file say; the library checks the rest by setting name.</summary>
        public override Spectre.Console.ValidationResult Validate() => FlagChecks.First(
            FlagChecks.AtLeast("--epochs", Epochs, 1), FlagChecks.AtLeast("--iterations", Iterations, 1), FlagChecks.AtLeast("--batch", Batch, 1),
            FlagChecks.AtLeast("--batches-per-epoch", BatchesPerEpoch, 1), FlagChecks.AtLeast("--depth", Depth, 1), FlagChecks.AtLeast("--patience", Patience, 1),
            FlagChecks.AtLeast("--threads", Threads, 1), FlagChecks.AtLeast("--max-cases", MaxCases, 2), FlagChecks.OneOf("--dims", Dims, 2, 3),
            FlagChecks.OneOf("--binary-foreground", BinaryForeground, 0, 255), FlagChecks.AtLeast("--validate-every", ValidateEvery, 1), FlagChecks.Positive("--border-width", BorderWidth),
            FlagChecks.Positive("--lr", Lr), FlagChecks.Positive("--clip", Clip), FlagChecks.NonNegative("--weight-decay", WeightDecay),
            FlagChecks.NonNegative("--warmup", Warmup), FlagChecks.AtLeast("--folds", Folds, 2), FlagChecks.AtLeast("--sample-cases", SampleCases, 1),
            FlagChecks.AtLeast("--overlays", Overlays, 0), FlagChecks.UnitFromZero("--depth-tolerance", DepthTolerance), FlagChecks.NonNegative("--cgm-weight", CgmWeight),
            ForegroundRatio is double fr && !(fr >= 0 && fr <= 1) ? Spectre.Console.ValidationResult.Error($"--foreground-ratio must be from 0 to 1, got {fr}") : Spectre.Console.ValidationResult.Success(),             FoldNumber is int f && f < 0 ? Spectre.Console.ValidationResult.Error($"--fold must be 0 or more, or 'all', got {f}") : Spectre.Console.ValidationResult.Success(),
            Folds is int k && FoldNumber is int fk && fk >= k ? Spectre.Console.ValidationResult.Error($"--fold {fk} must be below --folds {k}") : Spectre.Console.ValidationResult.Success(),
            DepthRule is not null && DepthTolerance is not null ? Spectre.Console.ValidationResult.Error("--depth-rule and --depth-tolerance both set the depth rule; give one") : Spectre.Console.ValidationResult.Success(),
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
            // the all fold trains in its own folder below --out: that is the run to resume
            string stopped = options.Settings.Validation.AllFold() ? AllFold.Folder(AllFold.ParentOf(options.RunDirectory)) : options.RunDirectory;
            console.Stopped(stopped, resume: $"unetsharp train --resume --out {stopped}");
            return InterruptSignals.ExitCode;
        }
    }

    /// <summary>
    /// Flag, else config file, else the baseline: the settings' defaults for a new run; the run's own config.json for
    /// --resume, where a flag that would change a setting the run cannot change is refused, naming it.
    /// </summary>
    public static TrainRunOptions Resolve(Settings s)
    {
        var file = s.Config is null ? SettingValues.None : SettingValues.Load(s.Config);
        bool resume = s.Resume ?? false;
        var baseline = RunSettings.Default;
        if (resume)
        {
            string folder = s.Out ?? file.Text("out") ?? throw new ConfigurationException("--resume needs --out, the run folder to continue");
            string path = new RunFolder(folder).Config;
            if (!File.Exists(path))
                throw new DataFormatException(path, "not found, so there is no run to resume in --out; start a new run without --resume");
            baseline = RunSettingsFile.Load(folder) with { Out = folder };
        }
        var requested = Flags(s).ApplyTo(file.ApplyTo(baseline));
        if (resume)
        {
            var (_, conflicts) = RunSettingsFile.CompareForResume(baseline, requested);
            // --seed sets the data seed too: its own conflict is the one to name first
            if (conflicts.OrderBy(c => c.Key == "data_seed").FirstOrDefault() is { } c)
                throw new ConfigurationException($"{(c.Key == "data_seed" && s.Seed is not null ? "--seed" : FlagOf(c.Key))} {c.Requested} conflicts with the run's {c.Key} {c.Saved} ({new RunFolder(requested.Out).Config}); start a new run or drop the flag");
        }
        if (requested.Data.Length == 0) throw new ConfigurationException("--data is required (or 'data' in the config file)");
        if (requested.Out.Length == 0) throw new ConfigurationException("--out is required (or 'out' in the config file)");
        if (!Directory.Exists(requested.Data)) throw new DataFormatException(requested.Data, "data folder not found");
        var options = new TrainRunOptions { Settings = requested, Resume = resume };
        options.Training.Validate();
        if (requested.Plan.Dimensions is int d)
        {
            var actual = DatasetLayouts.Open(requested.Data, requested.Layout()).Metadata.Dimensions;
            if (actual != d && !(d == 2 && actual == 3))
                throw new ConfigurationException($"--dims {d} does not match the data set in {requested.Data}, which is {actual}D (--dims 2 trains on a volume's slices; images cannot train a 3D network)");
        }
        return options;
    }

    /// <summary>The flags given, as setting values named by their flag.</summary>
    internal static SettingValues Flags(Settings s) => SettingValues.FromArguments(
        from row in Table
        let value = row.Property.GetValue(s)
        where value is not null
        select new SettingValue(row.Binds.Key, Text(value, row.Binds.Negated), row.Flag));

    static string Text(object value, bool negated) => value switch
    {
        bool b => (negated ? !b : b) ? "true" : "false",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>The flag table: each flag and the setting it binds.</summary>
    public static IReadOnlyList<(string Flag, BindsAttribute Binds, PropertyInfo Property)> Table { get; } = typeof(Settings).GetProperties()
        .Select(p => (Option: p.GetCustomAttribute<CommandOptionAttribute>(), Binds: p.GetCustomAttribute<BindsAttribute>(), Property: p))
        .Where(r => r.Option is not null && r.Binds is not null)
        .Select(r => ("--" + r.Option!.LongNames[0], r.Binds!, r.Property)).ToList();

    /// <summary>Seconds from "45m", "1h30m", "1.5h", "90s" or a plain number of seconds; one-line error naming the flag.</summary>
    public static double ParseDuration(string text, string flag) => SettingText.Duration(text, flag);

    /// <summary>"a,b,c" as case ids (spaces around commas dropped); an empty list is refused.</summary>
    internal static IReadOnlyList<string> ParseCaseIds(string text) => SettingText.CaseIds(text, "--exclude-cases");

    /// <summary>"--batches-per-epoch" for a setting that has a flag, else the config key in quotes.</summary>
    static string FlagOf(string key) => Table.FirstOrDefault(r => r.Binds.Key == key && !r.Binds.Negated).Flag ?? $"'{key}'";
}

/// <summary>A train flag's row in the flag table: the <see cref="RunSettings"/> key it sets (negated: a "--no-..." flag of a positive setting).</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class BindsAttribute(string key) : Attribute
{
    public string Key { get; } = key;
    public bool Negated { get; init; }
}
