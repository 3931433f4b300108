using System.Text.Json.Serialization;
using UNetSharp.Data.Layouts;
using UNetSharp.Models;
using UNetSharp.Planning;
using UNetSharp.Training;
using UNetSharp.Training.Losses;

namespace UNetSharp.Settings;

/// <summary>
/// Every setting of a training run, nested by the stage that uses it, each default written once, here. Saved as the run
/// folder's config.json (<see cref="RunSettingsFile"/>); a config file or the command line changes a setting by its
/// key (<see cref="SettingKeys"/>: the leaf's snake_case name, unique across stages, so "epochs: 7" needs no stage).
/// Booleans say what is on (cgm, deep_supervision); the engine's parameter types are built from this record in one
/// place (<see cref="RunSettingsUse"/>).
/// </summary>
public sealed record RunSettings
{
    /// <summary>Version 2: this nested shape. Version 1 (no "version" key) was one flat object with no_cgm/no_deep_supervision.</summary>
    public const int CurrentVersion = 2;

    public static RunSettings Default { get; } = new();

    public int Version { get; init; } = CurrentVersion;

    /// <summary>The data set folder.</summary>
    public string Data { get; init; } = "";

    /// <summary>The run folder.</summary>
    public string Out { get; init; } = "";

    public DatasetStage Dataset { get; init; } = new();
    public PlanStage Plan { get; init; } = new();
    public NetworkStage Network { get; init; } = new();
    public OptimisationStage Optimisation { get; init; } = new();
    public LossStage Loss { get; init; } = new();
    public AugmentationStage Augmentation { get; init; } = new();
    public ValidationStage Validation { get; init; } = new();
}

/// <summary>Augmentation preset for training patches (saved as "none", "unetsharp", "nnunet").</summary>
public enum AugmentationPreset
{
    None,
    [JsonStringEnumMemberName("unetsharp")] UNetSharp,
    [JsonStringEnumMemberName("nnunet")] NnUNet,
}

/// <summary>Which cases are read, and how (files, labels, the task).</summary>
public sealed record DatasetStage
{
    public DatasetLayoutKind Layout { get; init; } = DatasetLayoutKind.Auto;

    /// <summary>In 0/255 label images, the value that is class 1 (ISBI: 255, the cell interior; 0 makes the membranes foreground).</summary>
    public int BinaryForeground { get; init; } = 255;

    /// <summary>Colour images to one gray channel (BT.601 luma) instead of RGB.</summary>
    public bool Gray { get; init; }

    /// <summary>Case ids kept out of everything (a test set, nnU-Net's imagesTs); an unknown id is refused. Null: none.</summary>
    public IReadOnlyList<string>? ExcludeCases { get; init; }

    /// <summary>At most this many cases (quick experiments), at least 2; null: all.</summary>
    public int? MaxCases { get; init; }

    /// <summary>Seed of the split and of the patch loader (the weights' seed is <see cref="OptimisationStage.Seed"/>).</summary>
    public int DataSeed { get; init; } = 1;

    /// <summary>Instance segmentation: learn background / interior / border from instance labels.</summary>
    public bool Instances { get; init; }

    /// <summary>With <see cref="Instances"/>: border thickness in voxels.</summary>
    public double BorderWidth { get; init; } = UNetSharp.Instances.InstanceTargetSettings.DefaultBorderWidth;
}

/// <summary>What the planner may not decide from the data; null: planned.</summary>
public sealed record PlanStage
{
    /// <summary>2 or 3; null: the data's. 2 on volumes trains on slices (nnU-Net's 2d).</summary>
    [JsonPropertyName("dims")] public int? Dimensions { get; init; }
    [JsonPropertyName("patch"), SettingText(SettingTextKind.Size)] public IReadOnlyList<int>? PatchSize { get; init; }
    [JsonPropertyName("batch")] public int? BatchSize { get; init; }

    /// <summary>Bytes one training step may use; null: <see cref="PlanOptions.DefaultMemoryBudget"/>, over it only warned.</summary>
    [SettingText(SettingTextKind.Bytes)] public long? MemoryBudget { get; init; }
    public NormalizationKind? Normalization { get; init; }

    /// <summary>Cases read to measure shapes, labels and intensities.</summary>
    public int SampleCases { get; init; } = 40;

    /// <summary>Volumes: the median case's voxel budget at the target spacing (larger data are planned coarser).</summary>
    public long MaxCaseVoxels { get; init; } = SpacingPlanner.MaxCaseVoxels;
}

public sealed record NetworkStage
{
    [JsonPropertyName("arch")] public string Architecture { get; init; } = "unet#";

    /// <summary>Down-samplings; null: planned from the data, at most 4.</summary>
    public int? Depth { get; init; }
    public IReadOnlyList<int>? Widths { get; init; }

    /// <summary>The two classification-guided modules.</summary>
    public bool Cgm { get; init; } = true;

    /// <summary>The deep-supervision heads (without them the network cannot be pruned).</summary>
    public bool DeepSupervision { get; init; } = true;
    public NormKind? Norm { get; init; }

    /// <summary>
    /// Prior: the heads' biases start at the training cases' class frequencies. On MSD hippocampus the main head of
    /// PyTorch's default init stayed at background for 120 steps, the prior's reached Dice 0.68 (docs/RESULTS.md).
    /// </summary>
    public HeadInitKind HeadInit { get; init; } = HeadInitKind.Prior;
}

/// <summary>The optimiser, its schedule and the run's length.</summary>
public sealed record OptimisationStage
{
    public int Epochs { get; init; } = 50;

    /// <summary>Optimiser steps instead of epochs × batches per epoch; a time budget's measured count lands here.</summary>
    public long? Iterations { get; init; }
    public int BatchesPerEpoch { get; init; } = 50;

    /// <summary>Seconds of the training loop; the steps that fit are measured, then fixed in <see cref="Iterations"/>.</summary>
    [SettingText(SettingTextKind.Duration)] public double? TimeBudget { get; init; }
    [JsonPropertyName("lr")] public double LearningRate { get; init; } = 1e-3;
    [JsonPropertyName("min_lr")] public double MinLearningRate { get; init; } = 1e-5;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    public double Momentum { get; init; } = 0.9;
    public bool Nesterov { get; init; }
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Linear warm-up in epochs.</summary>
    public double Warmup { get; init; }

    /// <summary>Gradient norm clip; null: none.</summary>
    public double? Clip { get; init; }

    /// <summary>Seed of the weights (torch's generator).</summary>
    public long Seed { get; init; } = 12345;

    /// <summary>Torch intra-op threads; null: torch's own. Results repeat bitwise only at a fixed count.</summary>
    public int? Threads { get; init; }
}

public sealed record LossStage
{
    [JsonPropertyName("loss")] public LossKind Kind { get; init; } = LossKind.Auto;
    public DeepSupervisionWeighting DsWeights { get; init; } = DeepSupervisionWeighting.Mean;
    public double CgmWeight { get; init; } = 1.0;
    public bool BatchDice { get; init; }
    public IReadOnlyList<double>? ClassWeights { get; init; }
    public double FocalAlpha { get; init; } = FocalLoss.DefaultAlpha;
    public double FocalGamma { get; init; } = FocalLoss.DefaultGamma;
}

public sealed record AugmentationStage
{
    [JsonPropertyName("augment")] public AugmentationPreset Preset { get; init; } = AugmentationPreset.UNetSharp;

    /// <summary>Fraction of training patches centred on a foreground voxel (nnU-Net's one third).</summary>
    public double ForegroundRatio { get; init; } = 1.0 / 3;
}

/// <summary>The split, how often and how the run is validated, and what the final evaluation writes.</summary>
public sealed record ValidationStage
{
    [JsonPropertyName("val_fraction")] public double Fraction { get; init; } = 0.2;

    /// <summary>k-fold cross-validation (one run folder per fold); null: one split by <see cref="Fraction"/>.</summary>
    public int? Folds { get; init; }

    /// <summary>With folds: train only this fold, or <see cref="FoldSelection.All"/> (every case, no validation split, depth and
    /// post-processing from the finished cross-validation in the same folder); null: every fold. A fold's own run folder records it.</summary>
    public FoldSelection? Fold { get; init; }
    public int ValidateEvery { get; init; } = 1;

    /// <summary>Early stopping after this many epochs without a better validation Dice; null: never.</summary>
    public int? Patience { get; init; }

    /// <summary>How the prediction depth is chosen from every depth's validation Dice and speed (<see cref="UNetSharp.Settings.DepthRule"/>:
    /// accuracy, tolerance:D, fastest-within:D, latency:T). Stored as its text; the former depth_tolerance D reads as tolerance:D.</summary>
    [SettingText(SettingTextKind.DepthRule)] public string DepthRule { get; init; } = UNetSharp.Settings.DepthRule.DefaultText;

    /// <summary>The all fold: apply the post-processing chosen on the cross-validation (false: none).</summary>
    public bool Postprocessing { get; init; } = true;

    /// <summary>Overlay PNGs of this many validation cases.</summary>
    public int Overlays { get; init; } = 8;

    /// <summary>HD95/ASSD in the final evaluation (slow on large volumes).</summary>
    public bool SurfaceDistances { get; init; } = true;
}
