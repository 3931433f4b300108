using System.Runtime.InteropServices;

namespace UNetSharp.Metrics;

/// <summary>Areas of all instances and intersections of every overlapping (prediction, reference) pair.</summary>
internal sealed class InstanceOverlap
{
    public readonly record struct Pair(int PredictionId, int ReferenceId, long Intersection, long Union);

    public Dictionary<int, long> PredictionAreas { get; } = [];
    public Dictionary<int, long> ReferenceAreas { get; } = [];
    public List<Pair> Pairs { get; } = [];
    Dictionary<int, List<Pair>>? byReference;

    public IEnumerable<Pair> PairsOfReference(int referenceId)
    {
        byReference ??= Pairs.GroupBy(p => p.ReferenceId).ToDictionary(g => g.Key, g => g.ToList());
        return byReference.TryGetValue(referenceId, out var list) ? list : [];
    }

    public static InstanceOverlap Count(ReadOnlySpan<int> prediction, ReadOnlySpan<int> reference)
    {
        var result = new InstanceOverlap();
        var intersections = new Dictionary<(int, int), long>();
        // Count runs of equal (prediction, reference) pairs: instance maps are mostly long runs along a row, so this
        // saves nearly all dictionary updates on large volumes.
        int runStart = 0;
        for (int i = 1; i <= prediction.Length; i++)
        {
            if (i < prediction.Length && prediction[i] == prediction[runStart] && reference[i] == reference[runStart]) continue;
            int p = prediction[runStart], r = reference[runStart], length = i - runStart;
            if (p != 0) CollectionsMarshal.GetValueRefOrAddDefault(result.PredictionAreas, p, out _) += length;
            if (r != 0) CollectionsMarshal.GetValueRefOrAddDefault(result.ReferenceAreas, r, out _) += length;
            if (p != 0 && r != 0) CollectionsMarshal.GetValueRefOrAddDefault(intersections, (p, r), out _) += length;
            runStart = i;
        }
        foreach (var ((p, r), inter) in intersections)
            result.Pairs.Add(new Pair(p, r, inter, result.PredictionAreas[p] + result.ReferenceAreas[r] - inter));
        return result;
    }
}
