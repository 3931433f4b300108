using UNetSharp.Metrics;

namespace UNetSharp.Tests.Honest;

/// <summary>The Dice of constant label maps, by hand, and that it equals what scoring such a map really gives.</summary>
public sealed class TrivialBaselineTests
{
    [Fact]
    public void AConstantMapScoresWhatTheBaselineSays()
    {
        // case a: 3 of 4 voxels class 1; case b: no foreground
        int[] a = [1, 1, 1, 0], b = [0, 0, 0, 0];
        var baseline = TrivialBaseline.Of([a, b], [1]);
        // all foreground: a 2*3/(3+4) = 6/7, b 0 (prediction only) -> mean 3/7; all background: a 0, b NaN (left out) -> 0
        Assert.Equal(3.0 / 7, baseline.AllForeground[0], 12);
        Assert.Equal(0.0, baseline.AllBackground[0], 12);
        Assert.Equal(3.0 / 7, baseline.Best, 12);
        Assert.Equal(1, baseline.BestConstant);

        // the same numbers from really scoring the all-foreground map
        int[] ones = [1, 1, 1, 1];
        var summary = new EvaluationSummary([CaseEvaluation.Evaluate(ones, a, [2, 2], [1, 1], [1]), CaseEvaluation.Evaluate(ones, b, [2, 2], [1, 1], [1])]);
        Assert.Equal(summary.Classes[0].Dice, baseline.Best, 12);
        Assert.Equal(baseline.AllForeground[0], TrivialBaseline.Of(summary).AllForeground[0], 12);

        Assert.False(baseline.BeatenBy(3.0 / 7));          // a constant map does not beat itself
        Assert.False(baseline.BeatenBy(3.0 / 7 + 0.009));  // nor does anything within the margin
        Assert.True(baseline.BeatenBy(3.0 / 7 + 0.011));
        Assert.False(baseline.BeatenBy(double.NaN));
    }

    [Fact]
    public void MultiClassBaselinesArePerClassAndTheBestIsOneConstantMap()
    {
        // 10 voxels: 6 of class 1, 2 of class 2, 2 background
        int[] r = [1, 1, 1, 1, 1, 1, 2, 2, 0, 0];
        var baseline = TrivialBaseline.Of([r], [1, 2]);
        Assert.Equal(12.0 / 16, baseline.AllForeground[0], 12); // all 1: 2*6/(6+10)
        Assert.Equal(4.0 / 12, baseline.AllForeground[1], 12);  // all 2: 2*2/(2+10)
        // "all 1" scores class 1 0.75 and class 2 0 -> mean 0.375, better than "all 2" (0.1667) or all background (0)
        Assert.Equal(0.375, baseline.Best, 12);
        Assert.Equal(1, baseline.BestConstant);
        Assert.Equal("all background 0.000, all foreground class 1 0.750, class 2 0.333", baseline.Describe());
    }
}
