using System.ComponentModel;
using System.Text.Json;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Data.Layouts;
using UNetSharp.Instances;
using UNetSharp.Models;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
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
        [CommandOption("--data <DIR>"), Description("data set folder (paired images/labels, DSB 2018 or MSD/nnU-Net layout)")] public string? Data { get; init; }
        [CommandOption("--out <RUN>"), Description("run folder")] public string? Out { get; init; }
        [CommandOption("--config <FILE>"), Description("JSON or YAML file with any of these options; flags override it")] public string? Config { get; init; }
        [CommandOption("--arch <ARCH>"), Description("unet | unet++ | unet3+ | unet# (default unet#)")] public string? Arch { get; init; }
        [CommandOption("--dims <DIMS>"), Description("2 or 3; must match the data")] public int? Dims { get; init; }
        [CommandOption("--depth <L>")] public int? Depth { get; init; }
        [CommandOption("--widths <LIST>")] public string? Widths { get; init; }
        [CommandOption("--patch <SIZE>"), Description("patch size, e.g. 256x256 or 48x64x48")] public string? Patch { get; init; }
        [CommandOption("--batch <N>")] public int? Batch { get; init; }
        [CommandOption("--epochs <N>")] public int? Epochs { get; init; }
        [CommandOption("--iterations <N>"), Description("iteration budget instead of epochs")] public long? Iterations { get; init; }
        [CommandOption("--batches-per-epoch <N>")] public int? BatchesPerEpoch { get; init; }
        [CommandOption("--lr <LR>")] public double? Lr { get; init; }
        [CommandOption("--optimizer <NAME>"), Description("adam | sgd")] public string? Optimizer { get; init; }
        [CommandOption("--weight-decay <W>")] public double? WeightDecay { get; init; }
        [CommandOption("--warmup <EPOCHS>")] public double? Warmup { get; init; }
        [CommandOption("--patience <EPOCHS>"), Description("early stopping")] public int? Patience { get; init; }
        [CommandOption("--clip <NORM>"), Description("gradient clipping norm")] public double? Clip { get; init; }
        [CommandOption("--loss <KIND>"), Description("auto | bce-dice | hybrid | ce-dice")] public string? Loss { get; init; }
        [CommandOption("--ds-weights <KIND>"), Description("mean | halving (deep-supervision weighting)")] public string? DsWeights { get; init; }
        [CommandOption("--no-cgm")] public bool? NoCgm { get; init; }
        [CommandOption("--no-deep-supervision")] public bool? NoDeepSupervision { get; init; }
        [CommandOption("--augment <KIND>"), Description("none | unetsharp | nnunet")] public string? Augment { get; init; }
        [CommandOption("--val-fraction <F>")] public double? ValFraction { get; init; }
        [CommandOption("--max-cases <N>")] public int? MaxCases { get; init; }
        [CommandOption("--seed <N>")] public int? Seed { get; init; }
        [CommandOption("--threads <N>")] public int? Threads { get; init; }
        [CommandOption("--binary-foreground <V>"), Description("label value that means foreground in 0/V masks (default 255)")] public int? BinaryForeground { get; init; }
        [CommandOption("--gray"), Description("convert RGB images to one gray channel")] public bool? Gray { get; init; }
        [CommandOption("--resume"), Description("continue the run in --out from its last checkpoint")] public bool? Resume { get; init; }
        [CommandOption("--validate-every <N>"), Description("validate after every N-th epoch and after the last (default 1)")] public int? ValidateEvery { get; init; }
        [CommandOption("--instances"), Description("instance segmentation: learn background/interior/border from instance labels (DSB masks, instance label maps); predict then writes instance maps")] public bool? Instances { get; init; }
        [CommandOption("--border-width <PX>"), Description("with --instances: border thickness in voxels (default 2)")] public double? BorderWidth { get; init; }
    }

    public override int Execute(CommandContext context, Settings s, CancellationToken cancellationToken)
    {
        var options = Resolve(s);
        AnsiConsole.MarkupLine($"[bold]train[/] {Markup.Escape(options.Plan.Architecture)} on {Markup.Escape(options.DataDirectory)} → {Markup.Escape(options.RunDirectory)}");
        var result = TrainingRun.Run(options, RunConsole.EpochLines(), RunConsole.StatusLines(), cancellationToken);
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
            ValidateEvery = s.ValidateEvery ?? file.Int("validate-every") ?? 1,
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
                PatchSize = patch is null ? null : NetworkSettings.ParseSize(patch, dims ?? patch.Split('x').Length).Select(v => (int)v).ToArray(),
                BatchSize = s.Batch ?? file.Int("batch"),
                Cgm = !(s.NoCgm ?? file.Bool("no-cgm") ?? false),
                DeepSupervision = !(s.NoDeepSupervision ?? file.Bool("no-deep-supervision") ?? false),
                Layout = layout,
                Instances = (s.Instances ?? file.Bool("instances") ?? false)
                    ? new InstanceTargetSettings { BorderWidth = s.BorderWidth ?? file.Double("border-width") ?? InstanceTargetSettings.DefaultBorderWidth }
                    : null,
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
