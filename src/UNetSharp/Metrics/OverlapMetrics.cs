namespace UNetSharp.Metrics;

/// <summary>
/// Voxel counts of one class (label value c vs every other value) and the overlap scores derived from them.
/// Empty rules follow nnU-Net: when neither map contains the class, Dice and IoU are NaN (callers exclude them from
/// means and count them); when only the prediction contains it, Dice = IoU = 0. Precision = TP/(TP+FP) is NaN when
/// the prediction is empty, recall = TP/(TP+FN) is NaN when the reference is empty (both are 0/0 there).
/// </summary>
public readonly record struct OverlapMetrics(long TruePositives, long FalsePositives, long FalseNegatives, long TrueNegatives)
{
    /// <summary>2TP / (2TP + FP + FN); NaN when both maps lack the class.</summary>
    public double Dice => Ratio(2 * TruePositives, 2 * TruePositives + FalsePositives + FalseNegatives);

    /// <summary>TP / (TP + FP + FN); NaN when both maps lack the class.</summary>
    public double IoU => Ratio(TruePositives, TruePositives + FalsePositives + FalseNegatives);

    /// <summary>TP / (TP + FP); NaN when the prediction lacks the class.</summary>
    public double Precision => Ratio(TruePositives, TruePositives + FalsePositives);

    /// <summary>TP / (TP + FN); NaN when the reference lacks the class.</summary>
    public double Recall => Ratio(TruePositives, TruePositives + FalseNegatives);

    /// <summary>Voxels of the class in the prediction.</summary>
    public long PredictedVoxels => TruePositives + FalsePositives;

    /// <summary>Voxels of the class in the reference.</summary>
    public long ReferenceVoxels => TruePositives + FalseNegatives;

    /// <summary>Counts class <paramref name="label"/> in two equally long C-order label maps.</summary>
    public static OverlapMetrics Compute(ReadOnlySpan<int> prediction, ReadOnlySpan<int> reference, int label)
    {
        if (prediction.Length != reference.Length)
            throw new ArgumentException($"prediction has {prediction.Length} voxels but reference has {reference.Length}", nameof(reference));
        long tp = 0, fp = 0, fn = 0;
        for (int i = 0; i < prediction.Length; i++)
        {
            bool p = prediction[i] == label, r = reference[i] == label;
            if (p & r) tp++;
            else if (p) fp++;
            else if (r) fn++;
        }
        return new OverlapMetrics(tp, fp, fn, prediction.Length - tp - fp - fn);
    }

    /// <summary>As <see cref="Compute(ReadOnlySpan{int}, ReadOnlySpan{int}, int)"/>, also checking both maps against <paramref name="shape"/>.</summary>
    public static OverlapMetrics Compute(ReadOnlySpan<int> prediction, ReadOnlySpan<int> reference, int[] shape, int label)
    {
        VolumeGrid.CheckMaps(prediction.Length, reference.Length, shape);
        return Compute(prediction, reference, label);
    }

    static double Ratio(long numerator, long denominator) => denominator == 0 ? double.NaN : (double)numerator / denominator;
}
