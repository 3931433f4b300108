using UNetSharp.Metrics;

namespace UNetSharp.Tests.Metrics;

public class CaseEvaluationTests
{
    [Fact]
    public void Evaluates_each_label_against_the_rest()
    {
        // 2×3: label 1 pred {0,1}, ref {0}; label 2 pred {5}, ref {4,5}. Spacing (1, 1).
        var result = CaseEvaluation.Evaluate([1, 1, 0, 0, 0, 2], [1, 0, 0, 0, 2, 2], [2, 3], [1.0, 1.0], [1, 2], "x");
        Assert.Equal("x", result.CaseId);
        Assert.Equal([1, 2], result.Classes.Select(c => c.Label));
        Assert.Equal(new OverlapMetrics(1, 1, 0, 4), result.Classes[0].Overlap); // Dice 2/3
        Assert.Equal(new OverlapMetrics(1, 0, 1, 4), result.Classes[1].Overlap);
        // Label 2: pred→ref [0], ref→pred [1, 0] → HD95 = 0.95·1, HD100 1, ASSD 1/3.
        Assert.Equal(0.95, result.Classes[1].Distance.Hd95, 12);
        Assert.Equal(1.0 / 3, result.Classes[1].Distance.Assd, 12);
    }

    [Fact]
    public void Mismatched_inputs_are_rejected_with_clear_messages()
    {
        int[] six = new int[6];
        var e = Assert.Throws<ArgumentException>(() => CaseEvaluation.Evaluate(six, new int[8], [2, 3], [1.0, 1.0], [1]));
        Assert.Contains("reference has 8 voxels but shape [2,3] has 6", e.Message);
        e = Assert.Throws<ArgumentException>(() => CaseEvaluation.Evaluate(six, six, [2, 3], [1.0, 1.0, 1.0], [1]));
        Assert.Contains("spacing has 3 axes but shape has 2", e.Message);
        e = Assert.Throws<ArgumentException>(() => CaseEvaluation.Evaluate(six, six, [2, 3], [1.0, 0.0], [1]));
        Assert.Contains("positive", e.Message);
        e = Assert.Throws<ArgumentException>(() => CaseEvaluation.Evaluate(six, six, [2, 3], [1.0, 1.0], [1, 1]));
        Assert.Contains("repeat", e.Message);
    }
}
