using System.Text.Json.Nodes;
using UNetSharp.Settings;

namespace UNetSharp.Pipeline;

/// <summary>
/// A prediction depth as chosen: the rule, what it was applied to (every depth's mean Dice and measured time per case,
/// from one validation split or the means over cross-validation folds) and the depth it picked. metrics.json,
/// cv_summary.json and report.html show it as a table so the accuracy and the speed given up are both visible.
/// </summary>
public sealed record DepthChoice(DepthRule Rule, string Description, IReadOnlyList<DepthMeasurement> Costs, int Chosen)
{
    /// <summary>The depths' table: depth, mean Dice, ms per case, Dice below the best depth's, speed-up over the full depth, chosen.</summary>
    public JsonArray Table()
    {
        double best = Costs.Where(c => !double.IsNaN(c.MeanDice)).Select(c => c.MeanDice).DefaultIfEmpty(double.NaN).Max();
        double full = Costs.MaxBy(c => c.Depth)?.SecondsPerCase ?? double.NaN;
        return new JsonArray(Costs.OrderBy(c => c.Depth).Select(c => (JsonNode)new JsonObject
        {
            ["depth"] = c.Depth,
            ["mean_dice"] = Round(c.MeanDice, 5),
            ["ms_per_case"] = Round(c.SecondsPerCase * 1000, 3),
            ["dice_below_best"] = Round(best - c.MeanDice, 5),
            ["speedup_over_full_depth"] = c.SecondsPerCase > 0 ? Round(full / c.SecondsPerCase, 3) : null,
            ["chosen"] = c.Depth == Chosen,
        }).ToArray());
    }

    static JsonNode? Round(double v, int digits) => double.IsFinite(v) ? Math.Round(v, digits) : null;
}
