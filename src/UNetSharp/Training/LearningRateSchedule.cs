namespace UNetSharp.Training;

/// <summary>
/// Learning rate as a pure function of the global iteration t (0-based), so resuming only needs t: linear warm-up
/// lr·(t+1)/W for t &lt; W, then cosine annealing floor + (lr − floor)·(1 + cos(π·(t − W)/(T − W)))/2 over the remaining
/// T − W iterations (per iteration rather than PyTorch's per-epoch CosineAnnealingLR, which also works with iteration budgets).
/// </summary>
public sealed record LearningRateSchedule(double BaseRate, double Floor, long WarmupIterations, long TotalIterations)
{
    public double At(long iteration)
    {
        if (iteration < WarmupIterations) return BaseRate * (iteration + 1) / WarmupIterations;
        long span = Math.Max(1, TotalIterations - WarmupIterations);
        double progress = Math.Min(1.0, (double)(iteration - WarmupIterations) / span);
        return Floor + (BaseRate - Floor) * (1 + Math.Cos(Math.PI * progress)) / 2;
    }
}
