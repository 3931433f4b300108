using UNetSharp.Data.Layouts;
using UNetSharp.Instances;
using UNetSharp.Planning;
using UNetSharp.Training;
using UNetSharp.Training.Losses;

namespace UNetSharp.Settings;

/// <summary>
/// The engine's parameter types built from the run's settings, each in one place: the planner's <see cref="PlanOptions"/>
/// and the trainer's <see cref="TrainingConfig"/> (saved in checkpoints). The engine types keep their own defaults for
/// callers that use them directly (tests, benchmarks); a training run sets every field from <see cref="RunSettings"/>.
/// </summary>
public static class RunSettingsUse
{
    public static LayoutOptions Layout(this RunSettings s) => new()
    {
        Kind = s.Dataset.Layout, BinaryForeground = s.Dataset.BinaryForeground, Gray = s.Dataset.Gray,
    };

    public static PlanOptions PlanOptions(this RunSettings s) => new()
    {
        Architecture = s.Network.Architecture, Dimensions = s.Plan.Dimensions, Depth = s.Network.Depth, Widths = s.Network.Widths,
        PatchSize = s.Plan.PatchSize, BatchSize = s.Plan.BatchSize, MemoryBudget = s.Plan.MemoryBudget, Cgm = s.Network.Cgm,
        DeepSupervision = s.Network.DeepSupervision, Norm = s.Network.Norm, Normalization = s.Plan.Normalization, Layout = s.Layout(),
        MaxCaseVoxels = s.Plan.MaxCaseVoxels, SampleCases = s.Plan.SampleCases,
        Instances = s.Dataset.Instances ? new InstanceTargetSettings { BorderWidth = s.Dataset.BorderWidth } : null,
    };

    public static TrainingConfig TrainingConfig(this RunSettings s)
    {
        var o = s.Optimisation;
        return new TrainingConfig
        {
            Optimizer = o.Optimizer, LearningRate = o.LearningRate, MinLearningRate = o.MinLearningRate, Momentum = o.Momentum, Nesterov = o.Nesterov,
            Schedule = o.Schedule, TimeBudgetSeconds = o.TimeBudget, WeightDecay = o.WeightDecay, WarmupEpochs = o.Warmup, Epochs = o.Epochs,
            MaxIterations = o.Iterations, ValidateEvery = s.Validation.ValidateEvery, Patience = s.Validation.Patience, GradientClipNorm = o.Clip,
            Seed = o.Seed, HeadInit = s.Network.HeadInit, Threads = o.Threads,
            Loss = new LossOptions
            {
                Kind = s.Loss.Kind, Weighting = s.Loss.DsWeights, CgmWeight = s.Loss.CgmWeight, BatchDice = s.Loss.BatchDice,
                ClassWeights = s.Loss.ClassWeights, FocalAlpha = s.Loss.FocalAlpha, FocalGamma = s.Loss.FocalGamma,
            },
        };
    }

    /// <summary>The one fold's index; null for every fold or for the all fold.</summary>
    public static int? FoldIndex(this ValidationStage v) => v.Fold is { IsAll: false } f ? f.Index : null;

    /// <summary>The run is the cross-validation's all fold (nnU-Net's "all").</summary>
    public static bool AllFold(this ValidationStage v) => v.Fold?.IsAll == true;

    /// <summary>The prediction depth's rule (a wrong text is refused naming 'depth_rule').</summary>
    public static DepthRule DepthRule(this RunSettings s) => UNetSharp.Settings.DepthRule.Parse(s.Validation.DepthRule, "'depth_rule'");

    /// <summary>Refuses values that would train on a wrong split or not at all; messages name the setting.</summary>
    public static void Validate(this RunSettings s, int defaultFolds)
    {
        var v = s.Validation;
        if (!(v.Fraction > 0 && v.Fraction < 1)) throw new ConfigurationException($"validation fraction must be in (0, 1), got {v.Fraction}");
        if (s.Dataset.MaxCases is < 2) throw new ConfigurationException($"max cases must be at least 2 (one to train, one to validate), got {s.Dataset.MaxCases}");
        if (s.Optimisation.BatchesPerEpoch < 1) throw new ConfigurationException($"batches per epoch must be at least 1, got {s.Optimisation.BatchesPerEpoch}");
        if (!(s.Augmentation.ForegroundRatio >= 0 && s.Augmentation.ForegroundRatio <= 1)) throw new ConfigurationException($"foreground ratio must be in 0..1, got {s.Augmentation.ForegroundRatio}");
        if (v.Folds is < 2) throw new ConfigurationException($"folds must be at least 2, got {v.Folds}");
        if (v.FoldIndex() is int k && (k < 0 || k >= (v.Folds ?? defaultFolds)))
            throw new ConfigurationException($"fold must be in 0..{(v.Folds ?? defaultFolds) - 1}, got {k}");
        if (v.Overlays < 0) throw new ConfigurationException($"overlay count must be 0 or more, got {v.Overlays}");
        s.DepthRule();
        s.TrainingConfig().Validate();
        // checked in 64 bits: epochs and batches_per_epoch are 32-bit each, their product is the run's step count
        if (s.Optimisation.Iterations is null && (long)s.Optimisation.Epochs * s.Optimisation.BatchesPerEpoch > Training.TrainingConfig.MaxSteps)
            throw new ConfigurationException($"epochs {s.Optimisation.Epochs} x batches_per_epoch {s.Optimisation.BatchesPerEpoch} = {(long)s.Optimisation.Epochs * s.Optimisation.BatchesPerEpoch:N0} steps, more than the {Training.TrainingConfig.MaxSteps:N0} a run may take");
    }
}
