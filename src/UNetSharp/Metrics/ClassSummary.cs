namespace UNetSharp.Metrics;

/// <summary>
/// One class over many cases. Means exclude NaN values; the Nan* counts say how many cases each mean left out
/// (a mean is NaN when every case was NaN). <see cref="GlobalDice"/> pools the voxel counts of all cases:
/// 2ΣTP / (2ΣTP + ΣFP + ΣFN). <see cref="OneSideEmpty"/> counts cases where exactly one of prediction and reference
/// contains the class (Dice 0, surface distances undefined and among <see cref="NanHd95"/>).
/// </summary>
public sealed record ClassSummary(
    int Label, int Cases,
    double Dice, double IoU, double Precision, double Recall, double Hd95, double Hd100, double Assd, double GlobalDice,
    int NanDice, int NanPrecision, int NanRecall, int NanHd95, int OneSideEmpty)
{
    /// <summary>Aggregates the results of one label; every element must have that label.</summary>
    public static ClassSummary From(int label, IReadOnlyList<ClassEvaluation> results)
    {
        if (results.Any(r => r.Label != label)) throw new ArgumentException($"results mix labels other than {label}", nameof(results));
        long tp = results.Sum(r => r.Overlap.TruePositives);
        long fp = results.Sum(r => r.Overlap.FalsePositives);
        long fn = results.Sum(r => r.Overlap.FalseNegatives);
        return new ClassSummary(label, results.Count,
            Dice: Mean(results, r => r.Overlap.Dice), IoU: Mean(results, r => r.Overlap.IoU),
            Precision: Mean(results, r => r.Overlap.Precision), Recall: Mean(results, r => r.Overlap.Recall),
            Hd95: Mean(results, r => r.Distance.Hd95), Hd100: Mean(results, r => r.Distance.Hd100), Assd: Mean(results, r => r.Distance.Assd),
            GlobalDice: new OverlapMetrics(tp, fp, fn, 0).Dice,
            NanDice: results.Count(r => double.IsNaN(r.Overlap.Dice)),
            NanPrecision: results.Count(r => double.IsNaN(r.Overlap.Precision)),
            NanRecall: results.Count(r => double.IsNaN(r.Overlap.Recall)),
            NanHd95: results.Count(r => double.IsNaN(r.Distance.Hd95)),
            OneSideEmpty: results.Count(r => (r.Overlap.PredictedVoxels == 0) != (r.Overlap.ReferenceVoxels == 0)));
    }

    static double Mean(IReadOnlyList<ClassEvaluation> results, Func<ClassEvaluation, double> metric)
    {
        double sum = 0;
        int n = 0;
        foreach (var r in results)
        {
            double v = metric(r);
            if (double.IsNaN(v)) continue;
            sum += v; n++;
        }
        return n == 0 ? double.NaN : sum / n;
    }
}
