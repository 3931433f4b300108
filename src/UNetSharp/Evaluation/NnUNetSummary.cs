using System.Globalization;
using System.Text.Json.Nodes;
using UNetSharp.Metrics;

namespace UNetSharp.Evaluation;

/// <summary>
/// nnU-Net v2's summary.json keys (<c>foreground_mean</c>, <c>mean</c>, <c>metric_per_case</c>; per class Dice, IoU, TP,
/// FP, FN, TN, n_pred, n_ref), added to our summary.json so scripts written for nnU-Net's evaluate_folder read it
/// unchanged. Means skip NaN as nnU-Net's <c>np.nanmean</c> does; a NaN Dice (class in neither map) is written as null,
/// since strict JSON has no NaN.
/// </summary>
public static class NnUNetSummary
{
    public static void AddTo(JsonObject root, EvaluationSummary summary, IReadOnlyDictionary<string, (string Prediction, string Reference)> files,
        IReadOnlyList<string>? regionNames)
    {
        string Key(int label) => regionNames is { } names && label >= 1 && label <= names.Count ? names[label - 1] : label.ToString(CultureInfo.InvariantCulture);
        var perCase = new JsonArray();
        var byClass = new SortedDictionary<int, List<OverlapMetrics>>();
        foreach (var c in summary.CaseResults)
        {
            var metrics = new JsonObject();
            foreach (var k in c.Classes)
            {
                metrics[Key(k.Label)] = Metrics(k.Overlap);
                (byClass.TryGetValue(k.Label, out var list) ? list : byClass[k.Label] = []).Add(k.Overlap);
            }
            var entry = new JsonObject { ["metrics"] = metrics };
            if (c.CaseId is { } id && files.TryGetValue(id, out var f)) { entry["prediction_file"] = f.Prediction; entry["reference_file"] = f.Reference; }
            perCase.Add(entry);
        }
        var means = byClass.ToDictionary(kv => kv.Key, kv => Means(kv.Value));
        root["foreground_mean"] = new JsonObject(Names.Select(n => new KeyValuePair<string, JsonNode?>(n, Number(NanMean(means.Values.Select(m => m[n]))))));
        root["mean"] = new JsonObject(means.Select(kv => new KeyValuePair<string, JsonNode?>(Key(kv.Key), MeanObject(kv.Value))));
        root["metric_per_case"] = perCase;
    }

    static JsonObject MeanObject(Dictionary<string, double> means) =>
        new(Names.Select(n => new KeyValuePair<string, JsonNode?>(n, Number(means[n]))));

    static readonly string[] Names = ["Dice", "FN", "FP", "IoU", "TN", "TP", "n_pred", "n_ref"];

    static Dictionary<string, double> Values(OverlapMetrics o) => new()
    {
        ["Dice"] = o.Dice, ["FN"] = o.FalseNegatives, ["FP"] = o.FalsePositives, ["IoU"] = o.IoU, ["TN"] = o.TrueNegatives, ["TP"] = o.TruePositives,
        ["n_pred"] = o.PredictedVoxels, ["n_ref"] = o.ReferenceVoxels,
    };

    static JsonObject Metrics(OverlapMetrics o) => new(Values(o).Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, Number(kv.Value))));

    static Dictionary<string, double> Means(List<OverlapMetrics> cases) =>
        Names.ToDictionary(n => n, n => NanMean(cases.Select(c => Values(c)[n])));

    static double NanMean(IEnumerable<double> values)
    {
        var finite = values.Where(v => !double.IsNaN(v)).ToList();
        return finite.Count == 0 ? double.NaN : finite.Average();
    }

    static JsonNode? Number(double v) => double.IsFinite(v) ? JsonValue.Create(v) : null;
}
