using UNetSharp.Models;

namespace UNetSharp.Training.Losses;

/// <summary>
/// Weights of the deep-supervision heads, summing to 1.
/// <para>Mean: 1/H for each of the H heads (UNet# authors' code).</para>
/// <para>Halving (nnU-Net style): 1/2^k, normalised. The main head is X^{0,l} (l = the depth that was run) and
/// k = max(i, l − j) for a head on X^{i,j}: a top-row head X^{0,j} is k = l − j pruning steps from the main head, a side
/// head X^{i,l−i} on the main head's anti-diagonal is k = i resolution levels below it (nnU-Net's rule: halve per
/// down-sampling). For UNet# depth 4 the 8 heads X04, X03, X02, X01, X13, X22, X31, X40 get k = 0, 1, 2, 3, 1, 2, 3, 4, i.e.
/// raw weights 1, ½, ¼, ⅛, ½, ¼, ⅛, 1/16 over a sum of 2.8125.</para>
/// </summary>
public static class DeepSupervisionWeights
{
    /// <summary>k of a head on X^{level,column} when the main head is X^{0,mainDepth}.</summary>
    public static int Distance(int level, int column, int mainDepth) => Math.Max(level, Math.Max(0, mainDepth - column));

    public static double[] For(IReadOnlyList<SegmentationHead> heads, int mainDepth, DeepSupervisionWeighting weighting)
    {
        if (heads.Count == 0) throw new ArgumentException("no heads to weight", nameof(heads));
        if (weighting == DeepSupervisionWeighting.Mean) return Enumerable.Repeat(1.0 / heads.Count, heads.Count).ToArray();
        double[] raw = heads.Select(h => Math.Pow(0.5, Distance(h.Level, h.Column, mainDepth))).ToArray();
        double sum = raw.Sum();
        return raw.Select(w => w / sum).ToArray();
    }
}
