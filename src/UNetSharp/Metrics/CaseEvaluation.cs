namespace UNetSharp.Metrics;

/// <summary>Per-class metrics of one predicted label map against its reference.</summary>
public sealed record CaseEvaluation(string? CaseId, IReadOnlyList<ClassEvaluation> Classes)
{
    /// <summary>
    /// Evaluates every label in <paramref name="labels"/> (each vs all other values) on C-order maps of
    /// <paramref name="shape"/> ([H,W] or [D,H,W]) with <paramref name="spacing"/> in the same axis order.
    /// Surface distances can be skipped (<paramref name="surfaceDistances"/> false) when only overlap is wanted;
    /// they are then NaN.
    /// </summary>
    public static CaseEvaluation Evaluate(ReadOnlySpan<int> prediction, ReadOnlySpan<int> reference, int[] shape, double[] spacing,
        IReadOnlyList<int> labels, string? caseId = null, bool surfaceDistances = true)
    {
        VolumeGrid.CheckMaps(prediction.Length, reference.Length, shape, spacing);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Count == 0) throw new ArgumentException("no labels to evaluate", nameof(labels));
        if (labels.Distinct().Count() != labels.Count) throw new ArgumentException($"labels [{string.Join(",", labels)}] repeat a value", nameof(labels));

        var classes = new ClassEvaluation[labels.Count];
        for (int i = 0; i < labels.Count; i++)
        {
            int label = labels[i];
            var overlap = OverlapMetrics.Compute(prediction, reference, label);
            var distance = surfaceDistances
                ? SurfaceDistance.Compute(prediction, reference, label, shape, spacing)
                : new SurfaceDistance(double.NaN, double.NaN, double.NaN, 0, 0);
            classes[i] = new ClassEvaluation(label, overlap, distance);
        }
        return new CaseEvaluation(caseId, classes);
    }
}
