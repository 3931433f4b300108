using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using UNetSharp.Planning;
using UNetSharp.Training;

namespace UNetSharp.Pipeline;

/// <summary>Augmentation preset for training patches (saved as "none", "unetsharp", "nnunet").</summary>
public enum AugmentationPreset
{
    None,
    [JsonStringEnumMemberName("unetsharp")] UNetSharp,
    [JsonStringEnumMemberName("nnunet")] NnUNet,
}

/// <summary>
/// Everything a training run needs, with the run defaults (the one place they are set); saved in the run folder as the
/// flat <see cref="RunConfiguration"/> (config.json).
/// </summary>
public sealed record TrainRunOptions
{
    public required string DataDirectory { get; init; }
    public required string RunDirectory { get; init; }
    public PlanOptions Plan { get; init; } = new();
    /// <summary>The trainer's settings; a run trains 50 epochs of <see cref="BatchesPerEpoch"/> steps unless told otherwise, its
    /// heads started at the training cases' class frequencies (<see cref="HeadInitKind.Prior"/>: on MSD hippocampus the
    /// main head of PyTorch's default init stayed at background for 120 steps, the prior's reached Dice 0.68; docs/RESULTS.md).</summary>
    public TrainingConfig Training { get; init; } = new() { Epochs = 50, HeadInit = HeadInitKind.Prior };

    /// <summary>Fraction of cases held out for validation (at least one case).</summary>
    public double ValidationFraction { get; init; } = 0.2;

    /// <summary>Seed of the split and of the patch loader (the trainer's own seed is in <see cref="Training"/>).</summary>
    public int DataSeed { get; init; } = 1;

    /// <summary>k-fold cross-validation as nnU-Net: the cases in this many folds (splits.json in the parent folder, written
    /// once), one run per fold in RunDirectory/fold_k, validated on its fold. Null: one split by <see cref="ValidationFraction"/>.</summary>
    public int? Folds { get; init; }

    /// <summary>With <see cref="Folds"/>: train only this fold (0-based); null: every fold in turn. A fold's own run
    /// folder records its index here.</summary>
    public int? Fold { get; init; }

    public int BatchesPerEpoch { get; init; } = 50;

    /// <summary>Foreground oversampling: the fraction of training patches centred on a random foreground voxel (nnU-Net's one third).</summary>
    public double ForegroundRatio { get; init; } = 1.0 / 3;
    public AugmentationPreset Augmentation { get; init; } = AugmentationPreset.UNetSharp;

    /// <summary>Case ids kept out of the run entirely (a test set, nnU-Net's imagesTs): never checked, planned on, split,
    /// trained or validated on; an id the data set lacks is refused. Null: none.</summary>
    public IReadOnlyList<string>? ExcludeCases { get; init; }

    /// <summary>Use at most this many cases (quick experiments); null: all.</summary>
    public int? MaxCases { get; init; }

    /// <summary>Continue RunDirectory's last.ckpt instead of starting afresh.</summary>
    public bool Resume { get; init; }

    /// <summary>Overlay PNGs written for this many validation cases.</summary>
    public int Overlays { get; init; } = 8;

    /// <summary>Compute HD95/ASSD in the final evaluation (slower on large volumes).</summary>
    public bool SurfaceDistances { get; init; } = true;

    /// <summary>Where the run reports what it does (planning, loading, evaluating, settings changed on resume); silent by default.</summary>
    public ILogger Logger { get; init; } = NullLogger.Instance;

    /// <summary>Refuses values that would train on a wrong split or not at all; messages name the setting.</summary>
    public void Validate()
    {
        if (!(ValidationFraction > 0 && ValidationFraction < 1))
            throw new ConfigurationException($"validation fraction must be in (0, 1), got {ValidationFraction}");
        if (MaxCases is < 2) throw new ConfigurationException($"max cases must be at least 2 (one to train, one to validate), got {MaxCases}");
        if (BatchesPerEpoch < 1) throw new ConfigurationException($"batches per epoch must be at least 1, got {BatchesPerEpoch}");
        if (!(ForegroundRatio >= 0 && ForegroundRatio <= 1)) throw new ConfigurationException($"foreground ratio must be in 0..1, got {ForegroundRatio}");
        if (Folds is < 2) throw new ConfigurationException($"folds must be at least 2, got {Folds}");
        if (Fold is int k && (k < 0 || k >= (Folds ?? CrossValidation.DefaultFolds)))
            throw new ConfigurationException($"fold must be in 0..{(Folds ?? CrossValidation.DefaultFolds) - 1}, got {k}");
        if (Overlays < 0) throw new ConfigurationException($"overlay count must be 0 or more, got {Overlays}");
        Training.Validate();
    }

    /// <summary>Draws curves.png at the end (e.g. UNetSharp.Reporting's <c>TrainingCurves.Plotter</c>); null: no picture, history.csv only.
    /// Not a setting of the run, so never saved.</summary>
    [JsonIgnore]
    public ICurvePlotter? CurvePlotter { get; init; }
}
