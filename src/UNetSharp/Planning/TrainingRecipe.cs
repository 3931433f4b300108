using UNetSharp.Training;
using UNetSharp.Training.Losses;

namespace UNetSharp.Planning;

/// <summary>
/// How the network of a plan is trained, recorded in plan.json beside the network (nnU-Net keeps its trainer settings
/// with the plans): optimiser and schedule, length (a time budget's fixed step count once known), loss and deep
/// supervision weights, foreground oversampling and augmentation. The run's config.json stays the source it is read
/// back from; this copy says, in one place, what recipe produced the weights next to it.
/// </summary>
public sealed record TrainingRecipe
{
    public OptimizerKind Optimizer { get; init; }
    public double LearningRate { get; init; }
    public double MinLearningRate { get; init; }
    public double Momentum { get; init; }
    public bool Nesterov { get; init; }
    public double WeightDecay { get; init; }
    public ScheduleKind Schedule { get; init; }
    public double WarmupEpochs { get; init; }
    public int Epochs { get; init; }
    public int BatchesPerEpoch { get; init; }
    /// <summary>Optimiser steps of the run; null: epochs × batches per epoch, or a time budget still to be measured.</summary>
    public long? Iterations { get; init; }
    public double? TimeBudgetSeconds { get; init; }
    public LossKind Loss { get; init; }
    public DeepSupervisionWeighting DeepSupervisionWeights { get; init; }
    /// <summary>Fraction of training patches centred on a foreground voxel (nnU-Net: one third).</summary>
    public double ForegroundRatio { get; init; }
    public string Augmentation { get; init; } = "";
    public HeadInitKind HeadInit { get; init; }
    /// <summary>Class frequencies of the training cases (background first) that started the heads; null unless head init is 'prior'.</summary>
    public IReadOnlyList<double>? ClassPriors { get; init; }

    public static TrainingRecipe From(TrainingConfig t, int batchesPerEpoch, double foregroundRatio, string augmentation) => new()
    {
        Optimizer = t.Optimizer, LearningRate = t.LearningRate, MinLearningRate = t.MinLearningRate, Momentum = t.Momentum, Nesterov = t.Nesterov,
        WeightDecay = t.WeightDecay, Schedule = t.Schedule, WarmupEpochs = t.WarmupEpochs, Epochs = t.Epochs, BatchesPerEpoch = batchesPerEpoch,
        Iterations = t.MaxIterations, TimeBudgetSeconds = t.TimeBudgetSeconds, Loss = t.Loss.Kind, DeepSupervisionWeights = t.Loss.Weighting,
        ForegroundRatio = foregroundRatio, Augmentation = augmentation, HeadInit = t.HeadInit,
    };
}
