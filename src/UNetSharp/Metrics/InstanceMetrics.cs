namespace UNetSharp.Metrics;

/// <summary>
/// Instance segmentation scores of two instance label maps (0 = background, every other value one instance; ids
/// need not be consecutive or agree between maps). IoU thresholds are compared in exact integer arithmetic.
/// <list type="bullet">
/// <item>Panoptic quality (Kirillov et al. 2019): a pair matches when IoU &gt; 0.5 (matches are then unique).
/// SQ = mean IoU of matches (0 when there are none, as panopticapi), RQ = TP / (TP + FP/2 + FN/2), PQ = SQ·RQ.</item>
/// <item>Aggregated Jaccard index (Kumar et al. 2017), as HoVer-Net's <c>get_fast_aji</c>: every reference instance
/// takes the overlapping prediction of highest IoU (ties: smallest prediction id; a prediction may serve several),
/// adding the intersection to C and the union to U; a reference instance that overlaps nothing adds its area to U;
/// every prediction never chosen adds its area to U. AJI = C / U.</item>
/// <item>DSB 2018 score: mean over t = 0.50, 0.55, …, 0.95 of TP/(TP + FP + FN), a pair matching when IoU &gt; t.</item>
/// </list>
/// All scores are NaN when neither map has an instance; when only one has, PQ/SQ/RQ, AJI and DSB are 0.
/// </summary>
public readonly record struct InstanceMetrics(
    int PredictedInstances, int ReferenceInstances,
    int TruePositives, int FalsePositives, int FalseNegatives,
    double PanopticQuality, double SegmentationQuality, double RecognitionQuality,
    double AggregatedJaccardIndex, double DsbScore)
{
    /// <summary>Scores two instance maps over a [H,W] or [D,H,W] grid. TP/FP/FN are the panoptic (IoU &gt; 0.5) counts.</summary>
    public static InstanceMetrics Compute(ReadOnlySpan<int> prediction, ReadOnlySpan<int> reference, int[] shape)
    {
        VolumeGrid.CheckMaps(prediction.Length, reference.Length, shape);
        var overlap = InstanceOverlap.Count(prediction, reference);
        int nPred = overlap.PredictionAreas.Count, nRef = overlap.ReferenceAreas.Count;
        if (nPred + nRef == 0)
            return new InstanceMetrics(0, 0, 0, 0, 0, double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);

        int tp = 0;
        double iouSum = 0;
        foreach (var pair in overlap.Pairs)
            if (2 * pair.Intersection > pair.Union) { tp++; iouSum += (double)pair.Intersection / pair.Union; }
        int fp = nPred - tp, fn = nRef - tp;
        double rq = tp / (tp + 0.5 * fp + 0.5 * fn);
        double sq = tp > 0 ? iouSum / tp : 0;
        return new InstanceMetrics(nPred, nRef, tp, fp, fn, sq * rq, sq, rq, AggregatedJaccard(overlap), Dsb(overlap));
    }

    /// <summary>F1 at IoU 0.5: 2TP / (2TP + FP + FN) with the panoptic matches, which is exactly <see cref="RecognitionQuality"/>.</summary>
    public double F1 => RecognitionQuality;

    /// <summary>Predicted minus reference instance count (positive: too many objects).</summary>
    public int CountError => PredictedInstances - ReferenceInstances;

    /// <summary>The DSB 2018 IoU thresholds in percent: 50, 55, …, 95.</summary>
    public static IReadOnlyList<int> DsbThresholdsPercent { get; } = Enumerable.Range(0, 10).Select(k => 50 + 5 * k).ToArray();

    static double Dsb(InstanceOverlap overlap)
    {
        int nPred = overlap.PredictionAreas.Count, nRef = overlap.ReferenceAreas.Count;
        double total = 0;
        foreach (int percent in DsbThresholdsPercent)
        {
            // IoU > t ⇔ 100·|P∩R| > t%·|P∪R|; for t ≥ 0.5 each instance matches at most once.
            int tp = overlap.Pairs.Count(p => 100 * p.Intersection > percent * p.Union);
            total += (double)tp / (nPred + nRef - tp); // TP + FP + FN
        }
        return total / DsbThresholdsPercent.Count;
    }

    static double AggregatedJaccard(InstanceOverlap overlap)
    {
        long c = 0, u = 0;
        var chosen = new HashSet<int>();
        foreach (var (refId, refArea) in overlap.ReferenceAreas.OrderBy(kv => kv.Key))
        {
            InstanceOverlap.Pair? best = null;
            foreach (var pair in overlap.PairsOfReference(refId))
            {
                if (best is not { } b) { best = pair; continue; }
                // Compare IoUs exactly: a/b > c/d ⇔ a·d > c·b.
                long lhs = pair.Intersection * b.Union, rhs = b.Intersection * pair.Union;
                if (lhs > rhs || (lhs == rhs && pair.PredictionId < b.PredictionId)) best = pair;
            }
            if (best is { } match) { c += match.Intersection; u += match.Union; chosen.Add(match.PredictionId); }
            else u += refArea;
        }
        foreach (var (predId, predArea) in overlap.PredictionAreas)
            if (!chosen.Contains(predId)) u += predArea;
        return (double)c / u;
    }
}
