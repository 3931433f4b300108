using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using UNetSharp.Data;
using UNetSharp.Metrics;

namespace UNetSharp.Pipeline;

/// <summary>
/// The trivial baselines of a run's validation cases (<see cref="TrivialBaseline"/>): logged before training, each depth
/// judged against them after it, and recorded in metrics.json (<c>trivial_baseline</c>, <c>beats_trivial_baseline</c>
/// per depth and for the chosen one), so a run that learned nothing says so instead of "choosing" a depth.
/// </summary>
static class RunBaseline
{
    public static void LogBefore(ILogger log, IReadOnlyList<SegmentationCase> validation, int outputChannels)
    {
        if (validation.Count == 0 || validation.Any(c => c.Label is null)) return;
        var labels = Enumerable.Range(1, Math.Max(1, outputChannels - 1)).ToArray();
        var baseline = TrivialBaseline.Of(validation.Select(c => c.Label!), labels);
        log.LogInformation("trivial baselines on the {Count} validation cases (mean Dice of a constant map): {Baselines}", validation.Count, baseline.Describe());
    }

    /// <summary>The baseline of the scored validation cases; a warning per depth that does not clear it, and one for the chosen depth.</summary>
    public static TrivialBaseline Judge(ILogger log, IReadOnlyDictionary<int, DepthResult> results, int chosen)
    {
        var baseline = TrivialBaseline.Of(results[chosen].Summary);
        foreach (var (depth, r) in results.OrderBy(r => r.Key))
            if (!baseline.BeatenBy(r.MeanDice))
                log.LogWarning("depth L{Depth}: mean validation Dice {Dice} does not beat the trivial baseline {Best} ({Baselines})",
                    depth, Text(r.MeanDice), Text(baseline.Best), baseline.Describe());
        if (!baseline.BeatenBy(results[chosen].MeanDice))
            log.LogWarning("the chosen depth L{Depth} does not beat the trivial baseline: this model has learned nothing a constant map would not give (metrics.json beats_trivial_baseline: false)", chosen);
        return baseline;
    }

    public static void AddTo(JsonObject metrics, TrivialBaseline baseline, IReadOnlyDictionary<int, DepthResult> results, int chosen)
    {
        metrics["trivial_baseline"] = baseline.ToJson();
        metrics["beats_trivial_baseline"] = baseline.BeatenBy(results[chosen].MeanDice);
        foreach (var (depth, r) in results)
            if (metrics["depths"]?[$"L{depth}"] is JsonObject d) d["beats_trivial_baseline"] = baseline.BeatenBy(r.MeanDice);
    }

    static string Text(double v) => double.IsNaN(v) ? "n/a" : v.ToString("F4", System.Globalization.CultureInfo.InvariantCulture);
}
