using UNetSharp.Metrics;

namespace UNetSharp.Tests.Metrics;

public class InstanceMetricsTests
{
    // 4×10 instance maps (ids not consecutive, not shared between maps):
    //   ref 1 (rows 0–1, cols 0–1, 4 px)  = pred 5 exactly           → perfect match, IoU 1
    //   ref 2 (rows 0–1, cols 3–6, 8 px)  split into pred 7 (cols 3–4) and pred 8 (cols 5–6), 4 px each → IoU 4/8 = 0.5 each
    //   ref 4 (row 3, cols 5–9, 5 px)     ⊃ pred 12 (row 3, cols 5–8, 4 px) → IoU 4/5 = 0.8
    //   pred 9 (row 3, cols 0–2, 3 px)    overlaps nothing           → false positive
    static readonly int[] Reference =
    [
        1, 1, 0, 2, 2, 2, 2, 0, 0, 0,
        1, 1, 0, 2, 2, 2, 2, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0, 0, 0, 0, 0, 4, 4, 4, 4, 4,
    ];
    static readonly int[] Prediction =
    [
        5, 5, 0, 7, 7, 8, 8, 0, 0, 0,
        5, 5, 0, 7, 7, 8, 8, 0, 0, 0,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        9, 9, 9, 0, 0, 12, 12, 12, 12, 0,
    ];

    [Fact]
    public void Panoptic_quality_of_a_match_a_split_a_partial_match_and_a_false_positive()
    {
        var m = InstanceMetrics.Compute(Prediction, Reference, [4, 10]);
        // IoU > 0.5 strictly: (5,1) IoU 1 and (12,4) IoU 0.8 match; the split halves (IoU exactly 0.5) do not.
        Assert.Equal((5, 3), (m.PredictedInstances, m.ReferenceInstances));
        Assert.Equal((2, 3, 1), (m.TruePositives, m.FalsePositives, m.FalseNegatives)); // FP 7, 8, 9; FN 2
        Assert.Equal(0.5, m.RecognitionQuality, 12);   // 2 / (2 + 3/2 + 1/2) = 2/4
        Assert.Equal(0.9, m.SegmentationQuality, 12);  // (1 + 0.8) / 2
        Assert.Equal(0.45, m.PanopticQuality, 12);     // 0.9 · 0.5
    }

    [Fact]
    public void Aggregated_jaccard_index()
    {
        // ref 1 → pred 5: C += 4, U += 4. ref 2 → pred 7 (IoU tie 0.5 with pred 8; smaller id): C += 4, U += 8.
        // ref 4 → pred 12: C += 4, U += 5. Unused pred 8 (4 px) and 9 (3 px): U += 7. AJI = 12 / 24.
        Assert.Equal(0.5, InstanceMetrics.Compute(Prediction, Reference, [4, 10]).AggregatedJaccardIndex, 12);
    }

    [Fact]
    public void Dsb_score_averages_over_ten_thresholds()
    {
        // 5 pred + 3 ref instances, TP + FP + FN = 8 − TP.
        // t = 0.50 … 0.75 (6 thresholds): IoU 1 and 0.8 match → 2 / 6. t = 0.80 … 0.95 (4): 0.8 > 0.8 fails → 1 / 7.
        // score = (6·(1/3) + 4·(1/7)) / 10 = (2 + 4/7) / 10 = 9/35.
        Assert.Equal(9.0 / 35, InstanceMetrics.Compute(Prediction, Reference, [4, 10]).DsbScore, 12);
        Assert.Equal([50, 55, 60, 65, 70, 75, 80, 85, 90, 95], InstanceMetrics.DsbThresholdsPercent);
    }

    [Fact]
    public void Empty_maps()
    {
        int[] none = new int[40];
        var both = InstanceMetrics.Compute(none, none, [4, 10]);
        Assert.True(double.IsNaN(both.PanopticQuality) && double.IsNaN(both.AggregatedJaccardIndex) && double.IsNaN(both.DsbScore));

        // Nothing predicted: no matches; AJI = 0 / (4 + 8 + 5); PQ, SQ (no matches → 0, as panopticapi), DSB = 0.
        var missed = InstanceMetrics.Compute(none, Reference, [4, 10]);
        Assert.Equal((0, 0, 3), (missed.TruePositives, missed.FalsePositives, missed.FalseNegatives));
        Assert.Equal(0.0, missed.PanopticQuality);
        Assert.Equal(0.0, missed.SegmentationQuality);
        Assert.Equal(0.0, missed.AggregatedJaccardIndex);
        Assert.Equal(0.0, missed.DsbScore);
    }

    [Fact]
    public void One_prediction_may_serve_several_reference_instances_in_AJI()
    {
        // 1×6: ref 1 = cols 0–1, ref 2 = cols 3–4; pred 3 = cols 0–4 covers both.
        // ref 1 → pred 3: C += 2, U += 5; ref 2 → pred 3: C += 2, U += 5 (pred counted twice, as Kumar/HoVer-Net).
        // AJI = 4 / 10. PQ: IoU 2/5 ≤ 0.5 → no match, PQ 0.
        var m = InstanceMetrics.Compute([3, 3, 3, 3, 3, 0], [1, 1, 0, 2, 2, 0], [1, 6]);
        Assert.Equal(0.4, m.AggregatedJaccardIndex, 12);
        Assert.Equal(0.0, m.PanopticQuality);
    }

    [Fact]
    public void Mismatched_shape_is_rejected()
    {
        var e = Assert.Throws<ArgumentException>(() => InstanceMetrics.Compute(Prediction, Reference, [4, 9]));
        Assert.Contains("has 36", e.Message);
    }

    [Fact]
    public void One_split_one_merge_one_missed_and_one_spurious_object()
    {
        // 6×12 grids. Reference: A (id 1) cols 0–3 rows 0–1 (8 px); B (2) cols 6–7 rows 0–1 and C (3) cols 8–9 rows 0–1
        // (touching, 4 px each); D (4) cols 0–1 rows 4–5 (4 px, missed); E (5) cols 4–7 rows 4–5 (8 px, found exactly).
        // Prediction: A split into 10 (cols 0–1) and 11 (cols 2–3); B+C merged into 12 (cols 6–9); E as 13; a spurious
        // 14 at cols 10–11 rows 4–5 (4 px).
        int[] shape = [6, 12];
        var reference = new int[72];
        var prediction = new int[72];
        void Box(int[] map, int r0, int r1, int c0, int c1, int id)
        {
            for (int r = r0; r <= r1; r++) for (int c = c0; c <= c1; c++) map[r * 12 + c] = id;
        }
        Box(reference, 0, 1, 0, 3, 1); Box(reference, 0, 1, 6, 7, 2); Box(reference, 0, 1, 8, 9, 3);
        Box(reference, 4, 5, 0, 1, 4); Box(reference, 4, 5, 4, 7, 5);
        Box(prediction, 0, 1, 0, 1, 10); Box(prediction, 0, 1, 2, 3, 11); Box(prediction, 0, 1, 6, 9, 12);
        Box(prediction, 4, 5, 4, 7, 13); Box(prediction, 4, 5, 10, 11, 14);

        var m = InstanceMetrics.Compute(prediction, reference, shape);
        // Split halves have IoU 4/8 = 0.5 (not > 0.5), the merge IoU 4/8 with each of B and C: only E matches (IoU 1).
        Assert.Equal((5, 5), (m.PredictedInstances, m.ReferenceInstances));
        Assert.Equal((1, 4, 4), (m.TruePositives, m.FalsePositives, m.FalseNegatives));
        Assert.Equal(1.0 / (1 + 2 + 2), m.RecognitionQuality, 12); // 1 / (1 + 4/2 + 4/2)
        Assert.Equal(m.RecognitionQuality, m.F1, 12);               // F1@0.5 = 2·1 / (2·1 + 4 + 4) = 0.2
        Assert.Equal(0.2, m.F1, 12);
        Assert.Equal(1.0, m.SegmentationQuality, 12);
        Assert.Equal(0.2, m.PanopticQuality, 12);
        Assert.Equal(0, m.CountError);
        // DSB: at every threshold only E matches: 1 / (5 + 5 − 1) = 1/9.
        Assert.Equal(1.0 / 9, m.DsbScore, 12);
        // AJI: A → 10 (IoU 0.5, tie with 11, smaller id): C 4, U 8. B → 12: C 4, U 8. C → 12: C 4, U 8. D → none: U 4.
        // E → 13: C 8, U 8. Unused 11 (4) and 14 (4): U 8. AJI = 20 / 44.
        Assert.Equal(20.0 / 44, m.AggregatedJaccardIndex, 12);
    }

    [Fact]
    public void Empty_reference_with_predictions_scores_zero_and_counts_every_prediction_as_false_positive()
    {
        var m = InstanceMetrics.Compute(Prediction, new int[40], [4, 10]);
        Assert.Equal((0, 5, 0), (m.TruePositives, m.FalsePositives, m.FalseNegatives));
        Assert.Equal(0.0, m.PanopticQuality);
        Assert.Equal(0.0, m.F1);
        Assert.Equal(0.0, m.AggregatedJaccardIndex); // C = 0, U = all predicted area
        Assert.Equal(0.0, m.DsbScore);
        Assert.Equal(5, m.CountError);
    }
}
