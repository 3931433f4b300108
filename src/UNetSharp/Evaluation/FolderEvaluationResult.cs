using System.Text.Json;
using System.Text.Json.Nodes;
using UNetSharp.IO;
using UNetSharp.Metrics;

namespace UNetSharp.Evaluation;

/// <summary>A prediction/reference pair that was not scored because the two files do not describe the same grid.</summary>
public sealed record MismatchedCase(string Case, string Prediction, string Reference, string Problem);

/// <summary>Instance scores of one case (see <see cref="InstanceMetrics"/>).</summary>
public sealed record InstanceCaseResult(string Case, InstanceMetrics Metrics);

/// <summary>What <see cref="FolderEvaluation.Run"/> found: scored cases plus every file it could not score, and why.</summary>
public sealed class FolderEvaluationResult
{
    public required string PredictionDir { get; init; }
    public required string ReferenceDir { get; init; }
    public required IReadOnlyList<int> Labels { get; init; }
    public required EvaluationSummary Summary { get; init; }
    /// <summary>File names (not paths) with no counterpart in the other folder.</summary>
    public required IReadOnlyList<string> UnmatchedPredictions { get; init; }
    public required IReadOnlyList<string> UnmatchedReferences { get; init; }
    public required IReadOnlyList<MismatchedCase> Mismatched { get; init; }
    /// <summary>Null unless instances were requested.</summary>
    public IReadOnlyList<InstanceCaseResult>? Instances { get; init; }

    /// <summary>Every file paired and on the same grid as its partner.</summary>
    public bool Complete => UnmatchedPredictions.Count == 0 && UnmatchedReferences.Count == 0 && Mismatched.Count == 0;

    /// <summary>
    /// The summary JSON of <see cref="EvaluationSummary.ToJson"/> ("cases", "classes") extended with "labels",
    /// "unmatched_predictions", "unmatched_references", "mismatched" and, with instances, "instances" (means and per case).
    /// </summary>
    public string ToJson()
    {
        var root = JsonNode.Parse(Summary.ToJson())!.AsObject();
        root.Insert(0, "pred", PredictionDir);
        root.Insert(1, "ref", ReferenceDir);
        root["labels"] = new JsonArray(Labels.Select(l => (JsonNode?)l).ToArray());
        root["complete"] = Complete;
        root["unmatched_predictions"] = new JsonArray(UnmatchedPredictions.Select(f => (JsonNode?)f).ToArray());
        root["unmatched_references"] = new JsonArray(UnmatchedReferences.Select(f => (JsonNode?)f).ToArray());
        root["mismatched"] = new JsonArray(Mismatched.Select(m => (JsonNode?)new JsonObject
        {
            ["case"] = m.Case, ["prediction"] = m.Prediction, ["reference"] = m.Reference, ["problem"] = m.Problem,
        }).ToArray());
        if (Instances is not null) root["instances"] = InstancesJson(Instances);
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    static JsonObject InstancesJson(IReadOnlyList<InstanceCaseResult> cases)
    {
        JsonObject Scores(Func<InstanceMetrics, double> pq, Func<InstanceMetrics, double> sq, Func<InstanceMetrics, double> rq,
            Func<InstanceMetrics, double> aji, Func<InstanceMetrics, double> dsb, IEnumerable<InstanceMetrics> items)
        {
            var list = items.ToList();
            return new JsonObject
            {
                ["pq"] = Mean(list, pq), ["sq"] = Mean(list, sq), ["rq"] = Mean(list, rq), ["aji"] = Mean(list, aji), ["dsb"] = Mean(list, dsb),
            };
        }
        var all = cases.Select(c => c.Metrics).ToList();
        var means = Scores(m => m.PanopticQuality, m => m.SegmentationQuality, m => m.RecognitionQuality, m => m.AggregatedJaccardIndex, m => m.DsbScore, all);
        var perCase = new JsonArray(cases.Select(c => (JsonNode?)new JsonObject
        {
            ["case"] = c.Case,
            ["pred_instances"] = c.Metrics.PredictedInstances, ["ref_instances"] = c.Metrics.ReferenceInstances,
            ["tp"] = c.Metrics.TruePositives, ["fp"] = c.Metrics.FalsePositives, ["fn"] = c.Metrics.FalseNegatives,
            ["pq"] = Finite(c.Metrics.PanopticQuality), ["sq"] = Finite(c.Metrics.SegmentationQuality), ["rq"] = Finite(c.Metrics.RecognitionQuality),
            ["aji"] = Finite(c.Metrics.AggregatedJaccardIndex), ["dsb"] = Finite(c.Metrics.DsbScore),
        }).ToArray());
        return new JsonObject { ["mean"] = means, ["cases"] = perCase };
    }

    // Means skip NaN (cases with no instance on either side), as ClassSummary does.
    static JsonNode? Mean(List<InstanceMetrics> items, Func<InstanceMetrics, double> pick)
    {
        var values = items.Select(pick).Where(double.IsFinite).ToList();
        return values.Count == 0 ? null : values.Average();
    }

    static JsonNode? Finite(double v) => double.IsFinite(v) ? v : null;

    public const string SummaryFile = "summary.json", CasesFile = "cases.csv";

    /// <summary>Writes summary.json and cases.csv into <paramref name="dir"/>, each atomically.</summary>
    public void Write(string dir)
    {
        string[] outputs = [Path.Combine(dir, CasesFile), Path.Combine(dir, SummaryFile)];
        OutputLedger.RefuseForeign(dir, outputs);
        Directory.CreateDirectory(dir);
        OutputLedger.Record(dir, outputs);
        AtomicFile.WriteAllText(Path.Combine(dir, CasesFile), Summary.ToCsv());
        AtomicFile.WriteAllText(Path.Combine(dir, SummaryFile), ToJson());
    }
}
