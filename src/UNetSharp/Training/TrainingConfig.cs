using UNetSharp.Training.Losses;

namespace UNetSharp.Training;

/// <summary>
/// How to train; saved (JSON) in every checkpoint so a resumed run continues with the same settings. A training run
/// builds it from its settings (<see cref="Settings.RunSettings"/>, where the run's defaults are: 50 epochs, head init
/// 'prior'); the defaults here serve code that drives the trainer directly (docs/UNET-SHARP.md §4: Adam, lr 1e-3, weight
/// decay 1e-4, cosine annealing to 1e-5, 100 epochs). The batch size belongs to the batch source.
/// </summary>
public sealed record TrainingConfig
{
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Floor of the cosine annealing.</summary>
    public double MinLearningRate { get; init; } = 1e-5;

    /// <summary>SGD momentum (ignored by Adam).</summary>
    public double Momentum { get; init; } = 0.9;

    /// <summary>SGD with Nesterov momentum (nnU-Net: momentum 0.99, Nesterov, poly decay).</summary>
    public bool Nesterov { get; init; }

    /// <summary>Decay after the warm-up: cosine annealing (default) or nnU-Net's poly.</summary>
    public ScheduleKind Schedule { get; init; } = ScheduleKind.Cosine;

    /// <summary>
    /// Wall-clock budget of the training loop in seconds (steps, validation, checkpoints; not the final evaluation).
    /// The trainer times the first steps after warm-up, then fixes <see cref="MaxIterations"/> to the steps that fit and
    /// lays the schedule out over them; once fixed the count is saved, so a resumed run repeats it exactly.
    /// Null: no budget. With <see cref="MaxIterations"/> already set the count is fixed and the budget is only a record.
    /// </summary>
    public double? TimeBudgetSeconds { get; init; }

    /// <summary>L2 weight decay as PyTorch's Adam/SGD apply it.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Linear warm-up from lr/W to lr over this many epochs (fractions allowed; converted to iterations), then cosine.</summary>
    public double WarmupEpochs { get; init; }

    public int Epochs { get; init; } = 100;

    /// <summary>Iteration budget; when set it replaces <see cref="Epochs"/> (the last epoch may be partial).</summary>
    public long? MaxIterations { get; init; }

    /// <summary>Validate after every N-th epoch (and after the last).</summary>
    public int ValidateEvery { get; init; } = 1;

    /// <summary>Early stopping: stop when the validation score has not improved for this many epochs. Null: never.</summary>
    public int? Patience { get; init; }

    /// <summary>Clip the global gradient norm to this value. Null: no clipping.</summary>
    public double? GradientClipNorm { get; init; }

    /// <summary>Seeds torch's generator before the network is built, so weights, dropout and the whole loss curve repeat.</summary>
    public long Seed { get; init; } = 12345;

    /// <summary>How the heads' output biases start (<see cref="HeadInitKind"/>); <see cref="HeadInitKind.Prior"/> needs the class priors at <see cref="Trainer.Start"/>.</summary>
    public HeadInitKind HeadInit { get; init; } = HeadInitKind.Default;

    /// <summary>Intra-op CPU threads for the run (null: leave torch's setting). Results repeat bitwise only at a fixed thread count.</summary>
    public int? Threads { get; init; }

    public LossOptions Loss { get; init; } = new();

    /// <summary>Most optimiser steps a run may take (iterations, epochs × batches per epoch, or a time budget's fixed
    /// count): far above any real run (nnU-Net trains 250,000), small enough that every count derived from it (epochs,
    /// schedule positions, ETA) stays exact in 64 bits and epochs fit 32.</summary>
    public const long MaxSteps = 1_000_000_000;

    /// <summary>Longest time budget: one year of training.</summary>
    public const double MaxTimeBudgetSeconds = 366 * 24 * 3600.0;

    public void Validate()
    {
        if (MaxIterations is > MaxSteps) throw new ConfigurationException($"iterations {MaxIterations} is more than the {MaxSteps:N0} steps a run may take");
        if (Epochs > MaxSteps) throw new ConfigurationException($"epochs {Epochs} is more than the {MaxSteps:N0} steps a run may take");
        if (TimeBudgetSeconds is > MaxTimeBudgetSeconds) throw new ConfigurationException($"time budget {TimeBudgetSeconds} s is more than the {MaxTimeBudgetSeconds:N0} s (one year) a run may take");
        if (!(LearningRate > 0) || !double.IsFinite(LearningRate)) throw new ConfigurationException($"learning rate must be positive, got {LearningRate}");
        if (!(MinLearningRate >= 0 && MinLearningRate <= LearningRate)) throw new ConfigurationException($"minimum learning rate must be in [0, lr = {LearningRate}], got {MinLearningRate}");
        if (!(Momentum >= 0 && Momentum < 1)) throw new ConfigurationException($"momentum must be in [0, 1), got {Momentum}");
        if (!(WeightDecay >= 0) || !double.IsFinite(WeightDecay)) throw new ConfigurationException($"weight decay must be a finite number ≥ 0, got {WeightDecay}");
        if (!(WarmupEpochs >= 0) || !double.IsFinite(WarmupEpochs)) throw new ConfigurationException($"warm-up epochs must be a finite number ≥ 0, got {WarmupEpochs}");
        if (Epochs <= 0 && MaxIterations is null) throw new ConfigurationException($"epochs must be positive, got {Epochs}");
        if (MaxIterations is <= 0) throw new ConfigurationException($"iteration budget must be positive, got {MaxIterations}");
        if (ValidateEvery <= 0) throw new ConfigurationException($"validate-every must be positive, got {ValidateEvery}");
        if (Patience is <= 0) throw new ConfigurationException($"patience must be positive, got {Patience}");
        if (GradientClipNorm is { } clip && !(clip > 0 && double.IsFinite(clip))) throw new ConfigurationException($"gradient clip norm must be a positive finite number, got {GradientClipNorm}");
        if (TimeBudgetSeconds is { } budget && !(budget > 0 && double.IsFinite(budget))) throw new ConfigurationException($"time budget must be a positive number of seconds, got {TimeBudgetSeconds}");
        if (Threads is <= 0) throw new ConfigurationException($"threads must be positive, got {Threads}");
        if (!(Loss.CgmWeight >= 0) || !double.IsFinite(Loss.CgmWeight)) throw new ConfigurationException($"CGM loss weight must be ≥ 0, got {Loss.CgmWeight}");
    }

    /// <summary>Total optimiser steps for a number of batches per epoch.</summary>
    public long TotalIterations(int batchesPerEpoch) => MaxIterations ?? (long)Epochs * batchesPerEpoch;

    /// <summary>Epochs actually run (the iteration budget rounded up to whole epochs).</summary>
    public int TotalEpochs(int batchesPerEpoch) => (int)((TotalIterations(batchesPerEpoch) + batchesPerEpoch - 1) / batchesPerEpoch);

    public long WarmupIterations(int batchesPerEpoch) => (long)Math.Round(WarmupEpochs * batchesPerEpoch);

    /// <summary>A time budget whose step count is not fixed yet: the trainer still has to measure its steps.</summary>
    public bool CountPending => TimeBudgetSeconds is not null && MaxIterations is null;

    /// <summary>Steps a time-budgeted run takes before it fixes its count: the first ones are untimed (allocation, caches), the rest are timed.</summary>
    public const int BudgetUntimedSteps = 2, BudgetTimedSteps = 8;

    /// <summary>Where the decay starts: after the warm-up, and with a time budget not before the timed steps (their learning rate cannot depend on a count not yet known).</summary>
    public long DecayStart(int batchesPerEpoch) =>
        Math.Max(WarmupIterations(batchesPerEpoch), TimeBudgetSeconds is null ? 0 : BudgetUntimedSteps + BudgetTimedSteps);

    /// <summary>The schedule over a total step count.</summary>
    public LearningRateSchedule ScheduleFor(int batchesPerEpoch, long totalIterations) =>
        new(LearningRate, MinLearningRate, WarmupIterations(batchesPerEpoch), totalIterations) { Kind = Schedule, DecayStart = DecayStart(batchesPerEpoch) };
}
