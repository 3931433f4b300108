namespace UNetSharp.Metrics;

/// <summary>Metrics of one class (label value vs rest) in one case.</summary>
public sealed record ClassEvaluation(int Label, OverlapMetrics Overlap, SurfaceDistance Distance);
