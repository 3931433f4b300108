namespace UNetSharp.Pipeline;

/// <summary>What a training run produced: where, how well at each depth, and which depth the plan now predicts at.
/// <see cref="CurvesPath"/> is null when the run had no curve plotter.</summary>
public sealed record TrainRunResult(
    string RunDirectory, int ChosenDepth, IReadOnlyDictionary<int, double> DiceByDepth, IReadOnlyDictionary<int, double> SecondsPerCaseByDepth,
    int BestEpoch, double BestValidationScore, int Epochs, double TrainingSeconds, int TrainingCases, int ValidationCases,
    string MetricsPath, string? CurvesPath, string OverlayDirectory)
{
    /// <summary>Every pruned depth's evaluation of the validation cases (per case, with the predicted label maps), for
    /// reports and experiments that need more than the means.</summary>
    public IReadOnlyDictionary<int, DepthResult> Depths { get; init; } = new Dictionary<int, DepthResult>();

    /// <summary>The depth rule, every depth's Dice and speed it chose from (the all fold: its cross-validation's), and its choice.</summary>
    public DepthChoice? DepthChoice { get; init; }

    /// <summary>What constant label maps score on the same validation cases; null for results made without it.</summary>
    public UNetSharp.Metrics.TrivialBaseline? Baseline { get; init; }

    /// <summary>Whether the chosen depth's mean validation Dice clears the trivial baseline (true when none was computed).</summary>
    public bool BeatsTrivialBaseline => Baseline is null || Baseline.BeatenBy(DiceByDepth.GetValueOrDefault(ChosenDepth, double.NaN));
}
