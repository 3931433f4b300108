using System.Globalization;
using System.Text;
using UNetSharp.IO;
using UNetSharp.Metrics;

namespace UNetSharp.Experiments;

/// <summary>One architecture at one depth on one data set, over its seeds: mean ± sd (across seeds) of the run means.</summary>
public sealed record SummaryRow(string Dataset, string Architecture, int Depth, int Runs, MeanSd Dice, MeanSd Iou, MeanSd Hd95, MeanSd PaperIou,
    MeanSd SecondsPerCase);

/// <summary>The reference architecture against one baseline at one depth: Wilcoxon signed-rank over cases × classes, each
/// architecture's Dice averaged over its seeds first (the seeds share the validation cases).</summary>
public sealed record Comparison(string Dataset, string Reference, string Baseline, int Depth, double ReferenceDice, double BaselineDice,
    WilcoxonResult Test);

/// <summary>Every run of an experiment and what follows from them: the summary table and the paired tests. Writes results.csv
/// (one row per run × depth × case × class), results.json (the run records), summary.json and summary.md.</summary>
public sealed class ExperimentResult
{
    public ExperimentResult(ExperimentSpec spec, IReadOnlyList<RunRecord> runs)
    {
        Spec = spec;
        Runs = runs;
        Summary = runs.SelectMany(r => r.Depths.Select(d => (Run: r, Depth: d)))
            .GroupBy(x => (x.Run.Dataset, x.Run.Architecture, x.Depth.Depth))
            .OrderBy(g => Order(spec.Datasets.Select(d => d.Name), g.Key.Dataset)).ThenBy(g => ArchOrder(g.Key.Architecture)).ThenBy(g => g.Key.Depth)
            .Select(g => new SummaryRow(g.Key.Dataset, g.Key.Architecture, g.Key.Depth, g.Count(),
                MeanSd.Of(g.Select(x => x.Depth.Mean(c => c.Dice))), MeanSd.Of(g.Select(x => x.Depth.Mean(c => c.Iou))),
                MeanSd.Of(g.Select(x => x.Depth.Mean(c => c.Hd95))), MeanSd.Of(g.Select(x => x.Depth.PaperIou ?? double.NaN)),
                MeanSd.Of(g.Select(x => x.Depth.SecondsPerCase))))
            .ToList();
        string reference = Models.Topology.Architectures.Normalise(spec.Reference);
        var comparisons = new List<Comparison>();
        foreach (var dataset in spec.Datasets.Select(d => d.Name))
        {
            var mine = CaseDice(dataset, reference);
            foreach (var baseline in runs.Where(r => r.Dataset == dataset && r.Architecture != reference).Select(r => r.Architecture).Distinct().OrderBy(ArchOrder))
            {
                var theirs = CaseDice(dataset, baseline);
                foreach (int depth in mine.Keys.Intersect(theirs.Keys).Order())
                {
                    var keys = mine[depth].Keys.Intersect(theirs[depth].Keys).Order().ToList();
                    if (keys.Count == 0) continue;
                    var x = keys.Select(k => mine[depth][k]).ToArray();
                    var y = keys.Select(k => theirs[depth][k]).ToArray();
                    comparisons.Add(new Comparison(dataset, reference, baseline, depth, MeanSd.Of(x).Mean, MeanSd.Of(y).Mean, WilcoxonSignedRank.Test(x, y)));
                }
            }
        }
        Comparisons = comparisons;
    }

    public ExperimentSpec Spec { get; }
    public IReadOnlyList<RunRecord> Runs { get; }
    public IReadOnlyList<SummaryRow> Summary { get; }
    public IReadOnlyList<Comparison> Comparisons { get; }

    public const string SummaryJson = "summary.json", SummaryMarkdown = "summary.md";

    /// <summary>depth → "case/class" → Dice averaged over the architecture's seeds (NaN cases, both maps empty, left out).</summary>
    Dictionary<int, Dictionary<string, double>> CaseDice(string dataset, string architecture) =>
        Runs.Where(r => r.Dataset == dataset && r.Architecture == architecture)
            .SelectMany(r => r.Depths).GroupBy(d => d.Depth)
            .ToDictionary(g => g.Key, g => g.SelectMany(d => d.Cases).Where(c => !double.IsNaN(c.Dice))
                .GroupBy(c => $"{c.Case}/{c.Class}", StringComparer.Ordinal).ToDictionary(c => c.Key, c => c.Average(s => s.Dice), StringComparer.Ordinal));

    static int Order(IEnumerable<string> names, string name) => names.ToList().IndexOf(name);

    /// <summary>The paper's order: UNet, UNet++, UNet 3+, UNet#.</summary>
    public static int ArchOrder(string architecture) => Models.Topology.Architectures.Names.ToList().IndexOf(architecture) is int i and >= 0 ? i : 99;

    public void Write(string folder)
    {
        AtomicFile.WriteAllText(Path.Combine(folder, ExperimentRunner.ResultsCsv), ResultsCsv());
        AtomicFile.WriteAllText(Path.Combine(folder, ExperimentRunner.ResultsJson), ProjectJson.Serialize(new { Runs }));
        AtomicFile.WriteAllText(Path.Combine(folder, SummaryJson), ProjectJson.Serialize(new
        {
            Budget = new { Spec.Iterations, TimeBudgetSeconds = Spec.TimeBudgetSeconds, Text = Spec.BudgetText },
            Spread = "mean ± sample sd across seeds of each run's mean over validation cases (per case: mean over classes)",
            Test = "two-sided Wilcoxon signed-rank over validation cases × classes, Dice averaged over seeds; zeros dropped; exact for n ≤ 50 without ties, else normal with tie and continuity correction",
            Rows = Summary.Select(r => new
            {
                r.Dataset, r.Architecture, r.Depth, r.Runs, Dice = Pair(r.Dice), Iou = Pair(r.Iou), Hd95 = Pair(r.Hd95), PaperIou = Pair(r.PaperIou),
                SecondsPerCase = Pair(r.SecondsPerCase),
            }),
            Comparisons = Comparisons.Select(c => new
            {
                c.Dataset, c.Reference, c.Baseline, c.Depth, c.ReferenceDice, c.BaselineDice, c.Test.N, c.Test.Zeros, c.Test.Statistic, c.Test.PValue,
                c.Test.MedianDifference, c.Test.Method,
            }),
        }));
        AtomicFile.WriteAllText(Path.Combine(folder, SummaryMarkdown), Markdown());
    }

    static object Pair(MeanSd m) => new { m.Mean, m.Sd, m.N };

    public string ResultsCsv()
    {
        var csv = new StringBuilder("dataset,architecture,seed,depth,case,class,dice,iou,precision,recall,hd95,assd,seconds_per_case\n");
        foreach (var r in Runs)
            foreach (var d in r.Depths)
                foreach (var c in d.Cases)
                    csv.Append(CultureInfo.InvariantCulture, $"{r.Dataset},{r.Architecture},{r.Seed},{d.Depth},{Escape(c.Case)},{c.Class},")
                        .AppendJoin(',', new[] { c.Dice, c.Iou, c.Precision, c.Recall, c.Hd95, c.Assd, d.SecondsPerCase }.Select(v => v.ToString("R", CultureInfo.InvariantCulture)))
                        .Append('\n');
        return csv.ToString();
    }

    static string Escape(string field) => field.IndexOfAny([',', '"', '\n', '\r']) < 0 ? field : "\"" + field.Replace("\"", "\"\"") + "\"";

    /// <summary>The summary and comparison tables in Markdown (what docs/RESULTS.md quotes).</summary>
    public string Markdown()
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"Budget: {Spec.BudgetText}; seeds {string.Join(", ", Spec.Seeds)}; mean ± sd across seeds.\n\n");
        bool paper = Summary.Any(r => r.PaperIou.N > 0);
        md.Append("| data set | architecture | depth | runs | Dice | IoU | HD95 |").Append(paper ? " paper IoU (96², pooled) |" : "").Append(" s / case |\n");
        md.Append("|---|---|---|---|---|---|---|").Append(paper ? "---|" : "").Append("---|\n");
        foreach (var r in Summary)
            md.Append(CultureInfo.InvariantCulture, $"| {r.Dataset} | {r.Architecture} | L{r.Depth} | {r.Runs} | {r.Dice.Format()} | {r.Iou.Format()} | {r.Hd95.Format("F2")} |")
              .Append(paper ? $" {r.PaperIou.Format()} |" : "").Append(CultureInfo.InvariantCulture, $" {r.SecondsPerCase.Format("F3")} |\n");
        if (Comparisons.Count > 0)
        {
            md.Append("\n| data set | depth | ").Append(Comparisons[0].Reference).Append(" vs | Dice (ref / base) | median Δ | n | W | p | test |\n|---|---|---|---|---|---|---|---|---|\n");
            foreach (var c in Comparisons)
                md.Append(CultureInfo.InvariantCulture, $"| {c.Dataset} | L{c.Depth} | {c.Baseline} | {c.ReferenceDice:F3} / {c.BaselineDice:F3} | {c.Test.MedianDifference:+0.000;-0.000;0.000} | {c.Test.N} | {c.Test.Statistic:0.#} | {FormatP(c.Test.PValue)} | {(c.Test.Exact ? "exact" : "normal")} |\n");
        }
        return md.ToString();
    }

    public static string FormatP(double p) => double.IsNaN(p) ? "–" : p < 1e-4 ? p.ToString("0.0e0", CultureInfo.InvariantCulture) : p.ToString("0.0000", CultureInfo.InvariantCulture);
}
