using UNetSharp.Metrics;

namespace UNetSharp.Tests.Metrics;

public class OverlapMetricsTests
{
    // 3×4 maps. Label 1: pred {(0,0),(0,1),(1,0),(1,1)}, ref {(0,0),(0,1),(0,2),(1,1)}.
    // Label 2: pred {(1,3),(2,3)}, ref {(2,2),(2,3)}.
    static readonly int[] Pred2D = [1, 1, 0, 0, 1, 1, 0, 2, 0, 0, 0, 2];
    static readonly int[] Ref2D = [1, 1, 1, 0, 0, 1, 0, 0, 0, 0, 2, 2];

    [Fact]
    public void Counts_and_scores_of_a_2D_map()
    {
        // Label 1: TP = (0,0),(0,1),(1,1) = 3, FP = (1,0) = 1, FN = (0,2) = 1, TN = 12 − 5 = 7.
        var one = OverlapMetrics.Compute(Pred2D, Ref2D, [3, 4], 1);
        Assert.Equal(new OverlapMetrics(3, 1, 1, 7), one);
        Assert.Equal(0.75, one.Dice, 12);      // 2·3 / (6 + 1 + 1) = 6/8
        Assert.Equal(0.6, one.IoU, 12);        // 3 / 5
        Assert.Equal(0.75, one.Precision, 12); // 3 / 4
        Assert.Equal(0.75, one.Recall, 12);    // 3 / 4

        // Label 2: TP = (2,3), FP = (1,3), FN = (2,2), TN = 9.
        var two = OverlapMetrics.Compute(Pred2D, Ref2D, [3, 4], 2);
        Assert.Equal(new OverlapMetrics(1, 1, 1, 9), two);
        Assert.Equal(0.5, two.Dice, 12);       // 2 / 4
        Assert.Equal(1.0 / 3, two.IoU, 12);    // 1 / 3
    }

    [Fact]
    public void Counts_and_scores_of_a_3D_map()
    {
        // 2×2×2: pred = first slice (indices 0..3), ref = indices 0, 1, 4.
        int[] pred = [1, 1, 1, 1, 0, 0, 0, 0];
        int[] reference = [1, 1, 0, 0, 1, 0, 0, 0];
        var m = OverlapMetrics.Compute(pred, reference, [2, 2, 2], 1);
        Assert.Equal(new OverlapMetrics(2, 2, 1, 3), m); // TP {0,1}, FP {2,3}, FN {4}
        Assert.Equal(4.0 / 7, m.Dice, 12);     // 4 / (4 + 2 + 1)
        Assert.Equal(0.4, m.IoU, 12);          // 2 / 5
        Assert.Equal(0.5, m.Precision, 12);    // 2 / 4
        Assert.Equal(2.0 / 3, m.Recall, 12);   // 2 / 3
    }

    [Fact]
    public void Empty_rules_follow_nnunet()
    {
        // Label 3 in neither map: 0/0 everywhere → NaN.
        var none = OverlapMetrics.Compute(Pred2D, Ref2D, 3);
        Assert.True(double.IsNaN(none.Dice));
        Assert.True(double.IsNaN(none.IoU));
        Assert.True(double.IsNaN(none.Precision));
        Assert.True(double.IsNaN(none.Recall));

        // Reference empty, prediction not: Dice = IoU = precision = 0, recall = 0/0.
        int[] empty = new int[12];
        var falseAlarm = OverlapMetrics.Compute(Pred2D, empty, 1);
        Assert.Equal(0.0, falseAlarm.Dice);
        Assert.Equal(0.0, falseAlarm.IoU);
        Assert.Equal(0.0, falseAlarm.Precision);
        Assert.True(double.IsNaN(falseAlarm.Recall));

        // Prediction empty, reference not: Dice = recall = 0, precision = 0/0.
        var missed = OverlapMetrics.Compute(empty, Ref2D, 1);
        Assert.Equal(0.0, missed.Dice);
        Assert.Equal(0.0, missed.Recall);
        Assert.True(double.IsNaN(missed.Precision));
    }

    [Fact]
    public void Mismatched_lengths_are_rejected_with_a_clear_message()
    {
        var e = Assert.Throws<ArgumentException>(() => OverlapMetrics.Compute(new int[12], new int[11], [3, 4], 1));
        Assert.Contains("reference has 11 voxels but shape [3,4] has 12", e.Message);
        e = Assert.Throws<ArgumentException>(() => OverlapMetrics.Compute(new int[12], new int[12], [3, 5], 1));
        Assert.Contains("prediction has 12 voxels but shape [3,5] has 15", e.Message);
        e = Assert.Throws<ArgumentException>(() => OverlapMetrics.Compute(new int[12], new int[12], [12], 1));
        Assert.Contains("2 ([H,W]) or 3 ([D,H,W]) axes", e.Message);
    }
}
