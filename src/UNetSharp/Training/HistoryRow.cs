namespace UNetSharp.Training;

/// <summary>One epoch of the training history (a line of history.csv).</summary>
public sealed record HistoryRow
{
    /// <summary>1-based epoch.</summary>
    public int Epoch { get; init; }
    public double LearningRate { get; init; }
    public double TrainLoss { get; init; }

    /// <summary>Mean loss parts, in <see cref="TrainingState.PartNames"/> order.</summary>
    public IReadOnlyList<double> LossParts { get; init; } = Array.Empty<double>();

    /// <summary>Validation score, null when this epoch did not validate.</summary>
    public double? ValidationScore { get; init; }
    public IReadOnlyList<double>? ValidationPerClass { get; init; }

    /// <summary>Wall time of the epoch (not part of the reproducible curve).</summary>
    public double Seconds { get; init; }
}
