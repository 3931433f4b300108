using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Data.Layouts;
using UNetSharp.Models;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Reporting;
using UNetSharp.Training;
using UNetSharp.Training.Losses;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// `unetsharp train --data DIR --out RUN [--config FILE] [flags]`: every value may come from the config file (JSON or
/// YAML, keys named like the flags without dashes, e.g. "epochs: 50", "arch: unet#") and is overridden by a flag.
/// The resolved options are saved in RUN/config.json.
/// </summary>
public sealed class TrainCommand : Command<TrainCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <DIR>"), Description("data set folder: paired images/ + labels/, DSB 2018 or MSD/nnU-Net imagesTr + labelsTr (required here or in --config)")] public string? Data { get; init; }
        [CommandOption("--out <RUN>"), Description("run folder to create (required here or in --config)")] public string? Out { get; init; }
        [CommandOption("--config <FILE>"), Description("JSON or YAML file with any of these options, keys named like the flags without dashes; flags override it")] public string? Config { get; init; }
        [CommandOption("--arch <ARCH>"), Description("unet | unet++ | unet3+ | unet# (default unet#)")] public string? Arch { get; init; }
        [CommandOption("--dims <DIMS>"), Description("2 or 3, checked against the data (default: the data's)")] public int? Dims { get; init; }
        [CommandOption("--depth <L>"), Description("number of down-samplings, 1..8 (default: planned from the data, at most 4)")] public int? Depth { get; init; }
        [CommandOption("--widths <LIST>"), Description("channels per level, depth + 1 values, e.g. 32,64,128,256,512 (default: planned)")] public string? Widths { get; init; }
        [CommandOption("--patch <SIZE>"), Description("patch size, e.g. 256x256 or 48x64x48, each a multiple of 2^depth (default: planned)")] public string? Patch { get; init; }
        [CommandOption("--batch <N>"), Description("patches per step, at least 1 (default: planned)")] public int? Batch { get; init; }
        [CommandOption("--epochs <N>"), Description("training epochs, at least 1 (default 50)")] public int? Epochs { get; init; }
        [CommandOption("--iterations <N>"), Description("iteration budget instead of epochs (default: epochs x batches per epoch)")] public long? Iterations { get; init; }
        [CommandOption("--batches-per-epoch <N>"), Description("optimiser steps per epoch, at least 1 (default 50)")] public int? BatchesPerEpoch { get; init; }
        [CommandOption("--lr <LR>"), Description("initial learning rate, a positive finite number (default 0.001)")] public double? Lr { get; init; }
        [CommandOption("--optimizer <NAME>"), Description("adam | sgd (default adam)")] public string? Optimizer { get; init; }
        [CommandOption("--weight-decay <W>"), Description("L2 weight decay, 0 or more (default 0.0001)")] public double? WeightDecay { get; init; }
        [CommandOption("--warmup <EPOCHS>"), Description("linear learning-rate warm-up in epochs, 0 or more (default 0)")] public double? Warmup { get; init; }
        [CommandOption("--patience <EPOCHS>"), Description("early stopping after this many epochs without a better validation Dice (default: never)")] public int? Patience { get; init; }
        [CommandOption("--clip <NORM>"), Description("gradient clipping norm, positive (default: no clipping)")] public double? Clip { get; init; }
        [CommandOption("--loss <KIND>"), Description("auto | bce-dice | hybrid | ce-dice (default auto: bce-dice for one class, ce-dice otherwise)")] public string? Loss { get; init; }
        [CommandOption("--ds-weights <KIND>"), Description("deep-supervision weighting: mean | halving (default mean)")] public string? DsWeights { get; init; }
        [CommandOption("--no-cgm"), Description("leave out the two classification-guided modules (default: built)")] public bool? NoCgm { get; init; }
        [CommandOption("--no-deep-supervision"), Description("leave out the deep-supervision heads; the network then cannot be pruned (default: built)")] public bool? NoDeepSupervision { get; init; }
        [CommandOption("--augment <KIND>"), Description("none | unetsharp | nnunet (default unetsharp: the UNet# authors' rot90, flip and intensity)")] public string? Augment { get; init; }
        [CommandOption("--val-fraction <F>"), Description("fraction of cases held out for validation, in (0, 1) (default 0.2)")] public double? ValFraction { get; init; }
        [CommandOption("--max-cases <N>"), Description("use at most N cases, at least 2: one to train, one to validate (default: all)")] public int? MaxCases { get; init; }
        [CommandOption("--seed <N>"), Description("seed of weights, split and patch sampling (default: 12345 for weights, 1 for the data)")] public int? Seed { get; init; }
        [CommandOption("--threads <N>"), Description("torch intra-op threads, at least 1 (default: all cores)")] public int? Threads { get; init; }
        [CommandOption("--binary-foreground <V>"), Description("in label images holding only 0 and 255, the value that is class 1: 255 or 0 (default 255)")] public int? BinaryForeground { get; init; }
        [CommandOption("--gray"), Description("convert colour images to one gray channel (default: keep RGB)")] public bool? Gray { get; init; }
        [CommandOption("--resume"), Description("continue the run in --out from its last checkpoint")] public bool? Resume { get; init; }

        /// <summary>Values that are wrong whatever the data or config file say; the library checks the rest by setting name.</summary>
        public override Spectre.Console.ValidationResult Validate() => FlagChecks.First(
            FlagChecks.AtLeast("--epochs", Epochs, 1), FlagChecks.AtLeast("--iterations", Iterations, 1), FlagChecks.AtLeast("--batch", Batch, 1),
            FlagChecks.AtLeast("--batches-per-epoch", BatchesPerEpoch, 1), FlagChecks.AtLeast("--depth", Depth, 1), FlagChecks.AtLeast("--patience", Patience, 1),
            FlagChecks.AtLeast("--threads", Threads, 1), FlagChecks.AtLeast("--max-cases", MaxCases, 2), FlagChecks.OneOf("--dims", Dims, 2, 3),
            FlagChecks.OneOf("--binary-foreground", BinaryForeground, 0, 255),
            FlagChecks.Positive("--lr", Lr), FlagChecks.Positive("--clip", Clip), FlagChecks.NonNegative("--weight-decay", WeightDecay),
            FlagChecks.NonNegative("--warmup", Warmup), FlagChecks.OpenUnit("--val-fraction", ValFraction), FlagChecks.Folder("--out", Out),
            Resume == true && Out is not null && !Directory.Exists(Out) ? Spectre.Console.ValidationResult.Error($"--resume: there is no run folder at --out {Out}") : Spectre.Console.ValidationResult.Success());
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var options = Resolve(s);
        AnsiConsole.MarkupLine($"[bold]train[/] {Markup.Escape(options.Plan.Architecture)} on {Markup.Escape(options.DataDirectory)} → {Markup.Escape(options.RunDirectory)}");
        var result = TrainingRun.Run(options with { CurvePlotter = TrainingCurves.Plotter }, RunConsole.EpochLines(), RunConsole.StatusLines(), cancellationToken);
        RunConsole.Summary(result);
        return 0;
    }

    /// <summary>Flag, else config file, else default.</summary>
    public static TrainRunOptions Resolve(Settings s)
    {
        var file = s.Config is null ? new ConfigValues() : ConfigValues.Load(s.Config);
        string data = s.Data ?? file.String("data") ?? throw new ConfigurationException("--data is required (or 'data' in the config file)");
        string run = s.Out ?? file.String("out") ?? throw new ConfigurationException("--out is required (or 'out' in the config file)");
        if (!Directory.Exists(data)) throw new DataFormatException(data, "data folder not found");
        int? depth = s.Depth ?? file.Int("depth");
        string? widths = s.Widths ?? file.String("widths");
        string? patch = s.Patch ?? file.String("patch");
        int? dims = s.Dims ?? file.Int("dims");
        var layout = new LayoutOptions { BinaryForeground = s.BinaryForeground ?? file.Int("binary-foreground") ?? 255, Gray = s.Gray ?? file.Bool("gray") ?? false };
        var loss = new LossOptions
        {
            Kind = (s.Loss ?? file.String("loss") ?? "auto").ToLowerInvariant() switch
            {
                "auto" => LossKind.Auto, "bce-dice" => LossKind.BceDice, "hybrid" => LossKind.Hybrid, "ce-dice" => LossKind.CeDice,
                var other => throw new ConfigurationException($"--loss must be auto, bce-dice, hybrid or ce-dice, got '{other}'"),
            },
            Weighting = (s.DsWeights ?? file.String("ds-weights") ?? "mean").ToLowerInvariant() switch
            {
                "mean" => DeepSupervisionWeighting.Mean, "halving" => DeepSupervisionWeighting.Halving,
                var other => throw new ConfigurationException($"--ds-weights must be mean or halving, got '{other}'"),
            },
        };
        var training = new TrainingConfig
        {
            Epochs = s.Epochs ?? file.Int("epochs") ?? 50,
            MaxIterations = s.Iterations ?? file.Long("iterations"),
            LearningRate = s.Lr ?? file.Double("lr") ?? 1e-3,
            Optimizer = (s.Optimizer ?? file.String("optimizer") ?? "adam").ToLowerInvariant() switch
            {
                "adam" => OptimizerKind.Adam, "sgd" => OptimizerKind.Sgd,
                var other => throw new ConfigurationException($"--optimizer must be adam or sgd, got '{other}'"),
            },
            WeightDecay = s.WeightDecay ?? file.Double("weight-decay") ?? 1e-4,
            WarmupEpochs = s.Warmup ?? file.Double("warmup") ?? 0,
            Patience = s.Patience ?? file.Int("patience"),
            GradientClipNorm = s.Clip ?? file.Double("clip"),
            Seed = s.Seed ?? file.Int("seed") ?? 12345,
            Threads = s.Threads ?? file.Int("threads"),
            Loss = loss,
        };
        training.Validate();
        var options = new TrainRunOptions
        {
            DataDirectory = data,
            RunDirectory = run,
            Plan = new PlanOptions
            {
                Architecture = s.Arch ?? file.String("arch") ?? "unet#",
                Depth = depth,
                Widths = widths is null ? null : NetworkSettings.ParseList(widths, "--widths"),
                PatchSize = patch is null ? null : NetworkSettings.ParseSize(patch, dims ?? patch.Split('x').Length, "--patch").Select(v => (int)v).ToArray(),
                BatchSize = s.Batch ?? file.Int("batch"),
                Cgm = !(s.NoCgm ?? file.Bool("no-cgm") ?? false),
                DeepSupervision = !(s.NoDeepSupervision ?? file.Bool("no-deep-supervision") ?? false),
                Layout = layout,
            },
            Training = training,
            BatchesPerEpoch = s.BatchesPerEpoch ?? file.Int("batches-per-epoch") ?? 50,
            Augmentation = (s.Augment ?? file.String("augment") ?? "unetsharp").ToLowerInvariant() switch
            {
                "none" => AugmentationPreset.None, "unetsharp" or "unet#" => AugmentationPreset.UNetSharp, "nnunet" => AugmentationPreset.NnUNet,
                var other => throw new ConfigurationException($"--augment must be none, unetsharp or nnunet, got '{other}'"),
            },
            ValidationFraction = s.ValFraction ?? file.Double("val-fraction") ?? 0.2,
            MaxCases = s.MaxCases ?? file.Int("max-cases"),
            DataSeed = s.Seed ?? file.Int("seed") ?? 1,
            Resume = s.Resume ?? false,
        };
        if (dims is int d)
        {
            var actual = DatasetLayouts.Open(data, layout).Metadata.Dimensions;
            if (actual != d) throw new ConfigurationException($"--dims {d} does not match the data set in {data}, which is {actual}D");
        }
        return options;
    }
}
