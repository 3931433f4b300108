namespace UNetSharp.Planning;

/// <summary>
/// How batch and patch size were chosen against the memory budget, recorded in plan.json (<see cref="ExperimentPlan.Memory"/>).
/// Bytes are the estimate of <see cref="Models.TrainingMemory"/> for one training step above the process's baseline.
/// </summary>
public sealed record MemoryPlan
{
    /// <summary>The budget the plan was made for.</summary>
    public long BudgetBytes { get; init; }

    /// <summary>True when the budget was set explicitly; false: <see cref="PlanOptions.DefaultMemoryBudget"/>.</summary>
    public bool BudgetGiven { get; init; }

    /// <summary>Batch-independent part: parameters, gradients and Adam's moments.</summary>
    public long FixedBytes { get; init; }

    /// <summary>Activation memory per sample at the planned patch (calibrated).</summary>
    public long BytesPerSample { get; init; }

    /// <summary>The whole step at the planned batch: <see cref="FixedBytes"/> + batch × <see cref="BytesPerSample"/>.</summary>
    public long BatchBytes { get; init; }

    /// <summary>One line: how batch and patch were chosen (and a warning when given settings exceed the budget).</summary>
    public string Note { get; init; } = "";
}
