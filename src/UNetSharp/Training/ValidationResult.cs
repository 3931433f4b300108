namespace UNetSharp.Training;

/// <summary>A validation score (higher is better; NaN when nothing could be scored) and the per-class values it summarises.</summary>
public sealed record ValidationResult(double Score, IReadOnlyList<double> PerClass);
