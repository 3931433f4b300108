using UNetSharp.Metrics;

namespace UNetSharp.Instances;

/// <summary>A case the decoder is tuned on: a three-class prediction's probabilities [3 × voxels] and the reference instances.</summary>
public sealed record TuningCase(float[] Probabilities, int[] Shape, int[] Reference);

/// <summary>
/// Chooses the decoder's thresholds and sizes by the mean DSB score on cases that are not the ones reported (a run tunes
/// on training cases), so watershed and connected components each get their best settings from the same search budget.
/// Coordinate search: first foreground threshold × marker threshold × surface at the baseline's sizes, then the minimum
/// object size with those fixed. Ties keep the earlier candidate (grid order, baseline values first).
/// </summary>
public static class InstanceDecoderTuning
{
    public static IReadOnlyList<double> ForegroundThresholds { get; } = [0.5, 0.3, 0.4, 0.6];
    public static IReadOnlyList<double> MarkerThresholds { get; } = [0.5, 0.3, 0.4, 0.6, 0.7, 0.8];
    public static IReadOnlyList<int> MinSizes { get; } = [10, 3, 5, 20, 40, 80, 160];

    /// <summary>The best settings for <paramref name="method"/> and their mean DSB score on <paramref name="cases"/>.</summary>
    public static (InstanceDecodingOptions Best, double Score) Tune(IReadOnlyList<TuningCase> cases, InstanceDecoderKind method, InstanceDecodingOptions baseline)
    {
        if (cases.Count == 0) return (baseline with { Method = method }, double.NaN);
        var first = new List<InstanceDecodingOptions>();
        foreach (double foreground in ForegroundThresholds)
            if (method == InstanceDecoderKind.ConnectedComponents)
                first.Add(baseline with { Method = method, ForegroundThreshold = foreground });
            else
                foreach (var surface in Enum.GetValues<WatershedSurface>())
                    foreach (double marker in MarkerThresholds)
                        first.Add(baseline with { Method = method, ForegroundThreshold = foreground, MarkerThreshold = marker, Surface = surface });
        var (best, _) = Best(cases, first);
        return Best(cases, MinSizes.Select(size => best with { MinSize = size }).ToList());
    }

    /// <summary>Mean DSB score of one setting over the cases (cases with no instance on either side skipped).</summary>
    public static double Score(IReadOnlyList<TuningCase> cases, InstanceDecodingOptions options) =>
        cases.Select(c => InstanceMetrics.Compute(InstanceDecoder.FromProbabilities(c.Probabilities, c.Shape, options).Instances, c.Reference, c.Shape).DsbScore)
            .Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();

    static (InstanceDecodingOptions, double) Best(IReadOnlyList<TuningCase> cases, IReadOnlyList<InstanceDecodingOptions> candidates)
    {
        var best = candidates[0];
        double bestScore = double.NegativeInfinity;
        foreach (var candidate in candidates)
        {
            double score = Score(cases, candidate);
            if (score > bestScore) (best, bestScore) = (candidate, score);
        }
        return (best, bestScore);
    }
}
