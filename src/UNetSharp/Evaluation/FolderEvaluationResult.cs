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

    /// <summary>References without a prediction that were skipped on purpose (<see cref="FolderEvaluationOptions.AllowMissing"/>).</summary>
    public IReadOnlyList<string> SkippedReferences { get; init; } = [];
    /// <summary>Null unless instances were requested.</summary>
    public IReadOnlyList<InstanceCaseResult>? Instances { get; init; }

    /// <summary>Lines the user must see (e.g. a binary mask given as an instance map and labelled by connected components).</summary>
    public IReadOnlyList<string> Warnings { get; init; } = [];

    /// <summary>Names of the scored regions when regions were scored (label k + 1 is region k), else null.</summary>
    public IReadOnlyList<string>? RegionNames { get; init; }

    /// <summary>What constant label maps score on the scored references (null when no case was scored).</summary>
    public TrivialBaseline? Baseline => Summary.CaseResults.Count == 0 ? null : TrivialBaseline.Of(Summary);

    /// <summary>Mean over classes of the class means of Dice (NaN classes left out).</summary>
    public double MeanDice => Summary.Classes.Select(c => c.Dice).Where(d => !double.IsNaN(d)).DefaultIfEmpty(double.NaN).Average();

    /// <summary>False when the mean Dice does not clear the trivial baseline (see <see cref="TrivialBaseline.BeatenBy"/>).</summary>
    public bool BeatsTrivialBaseline => Baseline is not { } b || b.BeatenBy(MeanDice);

    /// <summary>The prediction and reference file of every paired case, by case id.</summary>
    public IReadOnlyDictionary<string, (string Prediction, string Reference)> CaseFiles { get; init; } = new Dictionary<string, (string, string)>();

    /// <summary>Unit of HD95, HD100 and ASSD: "mm" when every scored reference is NIfTI (its spacing), else "px"
    /// (PNG and TIFF carry no spacing, so distances are in pixels).</summary>
    public string DistanceUnit { get; init; } = "px";

    /// <summary>summary.json also carries nnU-Net v2's keys (<see cref="NnUNetSummary"/>).</summary>
    public bool NnUNetKeys { get; init; }

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
        if (RegionNames is not null) root["regions"] = new JsonArray(RegionNames.Select(n => (JsonNode?)n).ToArray());
        root["complete"] = Complete;
        root["unmatched_predictions"] = new JsonArray(UnmatchedPredictions.Select(f => (JsonNode?)f).ToArray());
        root["unmatched_references"] = new JsonArray(UnmatchedReferences.Select(f => (JsonNode?)f).ToArray());
        root["skipped_references"] = SkippedReferences.Count;
        root["mismatched"] = new JsonArray(Mismatched.Select(m => (JsonNode?)new JsonObject
        {
            ["case"] = m.Case, ["prediction"] = m.Prediction, ["reference"] = m.Reference, ["problem"] = m.Problem,
        }).ToArray());
        root["mean_dice"] = double.IsFinite(MeanDice) ? MeanDice : null;
        root["distance_unit"] = DistanceUnit;
        if (Baseline is { } baseline)
        {
            root["trivial_baseline"] = baseline.ToJson();
            root["beats_trivial_baseline"] = BeatsTrivialBaseline;
        }
        if (Instances is not null) root["instances"] = InstancesJson(Instances);
        root["warnings"] = new JsonArray(Warnings.Select(w => (JsonNode?)w).ToArray());
        if (NnUNetKeys) NnUNetSummary.AddTo(root, Summary, CaseFiles, RegionNames);
        return root.ToJsonString(ProjectJson.Options);
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
                ["f1"] = Mean(list, m => m.F1), ["count_error"] = Mean(list, m => Math.Abs(m.CountError)),
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
            ["f1"] = Finite(c.Metrics.F1), ["count_error"] = c.Metrics.CountError,
        }).ToArray());
        return new JsonObject { ["mean"] = means, ["cases"] = perCase };
    }

    // Means skip NaN (cases with no instance on either side), as ClassSummary does.
    static JsonNode? Mean(List<InstanceMetrics> items, Func<InstanceMetrics, double> pick)
    {
        var values = items.Select(pick).Where(double.IsFinite).ToList();
        return values.Count == 0 ? null : values.Average();
    }

    /// <summary>One row per case: counts, matches at IoU 0.5, PQ, SQ, RQ, F1@0.5, AJI, DSB score, count error (pred − ref).</summary>
    static string InstancesCsv(IReadOnlyList<InstanceCaseResult> cases)
    {
        var c = System.Globalization.CultureInfo.InvariantCulture;
        var csv = new System.Text.StringBuilder("case,pred_instances,ref_instances,tp,fp,fn,pq,sq,rq,f1,aji,dsb,count_error\n");
        foreach (var r in cases)
        {
            var m = r.Metrics;
            csv.Append(r.Case).Append(',').Append(m.PredictedInstances.ToString(c)).Append(',').Append(m.ReferenceInstances.ToString(c)).Append(',')
               .Append(m.TruePositives.ToString(c)).Append(',').Append(m.FalsePositives.ToString(c)).Append(',').Append(m.FalseNegatives.ToString(c));
            foreach (double v in new[] { m.PanopticQuality, m.SegmentationQuality, m.RecognitionQuality, m.F1, m.AggregatedJaccardIndex, m.DsbScore })
                csv.Append(',').Append(v.ToString("G6", c));
            csv.Append(',').Append(m.CountError.ToString(c)).Append('\n');
        }
        return csv.ToString();
    }

    static JsonNode? Finite(double v) => double.IsFinite(v) ? v : null;

    public const string SummaryFile = "summary.json", CasesFile = "cases.csv", InstancesFile = "instances.csv", ReportFile = "report.html";

    /// <summary>Writes summary.json and cases.csv into <paramref name="dir"/>, each atomically.</summary>
    public void Write(string dir)
    {
        // report.html is UNetSharp.Reporting's (the CLI writes it next): claimed here so the ledger guards it too
        string[] outputs = Instances is null ? [Path.Combine(dir, CasesFile), Path.Combine(dir, SummaryFile), Path.Combine(dir, ReportFile)]
            : [Path.Combine(dir, CasesFile), Path.Combine(dir, SummaryFile), Path.Combine(dir, InstancesFile), Path.Combine(dir, ReportFile)];
        OutputLedger.RefuseForeign(dir, outputs);
        Directory.CreateDirectory(dir);
        OutputLedger.Record(dir, outputs);
        AtomicFile.WriteAllText(Path.Combine(dir, CasesFile), Summary.ToCsv());
        AtomicFile.WriteAllText(Path.Combine(dir, SummaryFile), ToJson());
        if (Instances is not null) AtomicFile.WriteAllText(Path.Combine(dir, InstancesFile), InstancesCsv(Instances));
    }
}
