namespace UNetSharp.Training;

/// <summary>
/// Learning rate as a pure function of the global iteration t (0-based), so resuming only needs t: linear warm-up
/// lr·(t+1)/W for t &lt; W, the full rate until <see cref="DecayStart"/> (a time-budgeted run measures its step time
/// there before it fixes T), then the decay over the remaining iterations up to T:
/// cosine floor + (lr − floor)·(1 + cos(π·(t − D)/(T − D)))/2 (per iteration rather than PyTorch's per-epoch
/// CosineAnnealingLR, which also works with iteration budgets), or poly floor + (lr − floor)·(1 − (t − D)/(T − D − 1))^0.9,
/// which reaches the floor exactly at the last step t = T − 1.
/// </summary>
public sealed record LearningRateSchedule(double BaseRate, double Floor, long WarmupIterations, long TotalIterations)
{
    public const double PolyExponent = 0.9;

    public ScheduleKind Kind { get; init; } = ScheduleKind.Cosine;

    /// <summary>First iteration of the decay (null: right after the warm-up).</summary>
    public long? DecayStart { get; init; }

    public double At(long iteration)
    {
        if (iteration < WarmupIterations) return BaseRate * (iteration + 1) / WarmupIterations;
        long start = Math.Max(WarmupIterations, DecayStart ?? WarmupIterations);
        if (iteration < start) return BaseRate;
        if (Kind == ScheduleKind.Poly)
        {
            long last = TotalIterations - start - 1; // the decay's last step, relative to its start
            double p = last <= 0 ? 1.0 : Math.Min(1.0, (double)(iteration - start) / last);
            return Floor + (BaseRate - Floor) * Math.Pow(1 - p, PolyExponent);
        }
        long span = Math.Max(1, TotalIterations - start);
        double progress = Math.Min(1.0, (double)(iteration - start) / span);
        return Floor + (BaseRate - Floor) * (1 + Math.Cos(Math.PI * progress)) / 2;
    }
}
