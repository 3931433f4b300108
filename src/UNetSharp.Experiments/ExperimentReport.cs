using System.Globalization;
using UNetSharp.Experiments;
using UNetSharp.Metrics;
using UNetSharp.Reporting;

namespace UNetSharp.Experiments;

/// <summary>report.html of an experiment: the budget, the summary table (mean ± sd across seeds per architecture and
/// depth), the paired tests of the reference against each baseline with p-values, a pruning curve per data set, and a
/// link-free list of the runs (each run folder has its own report.html).</summary>
public static class ExperimentReport
{
    public const string FileName = "report.html";

    public static string Write(string folder, ExperimentResult result)
    {
        var spec = result.Spec;
        var report = new HtmlReport("experiment");
        report.Paragraph($"{spec.Architectures.Count} architectures × {spec.Datasets.Count} data sets × {spec.Seeds.Count} seeds ({string.Join(", ", spec.Seeds)}), " +
            $"budget: {spec.BudgetText}, evaluated at every pruned depth on the same validation cases. " +
            "Spread: mean ± sample sd across seeds of each run's mean over cases.");
        bool paper = result.Summary.Any(r => r.PaperIou.N > 0);
        report.Heading("Summary");
        var headers = new List<string> { "data set", "architecture", "depth", "runs", "Dice", "IoU", "HD95" };
        if (paper) headers.Add("paper IoU (96², pooled per batch)");
        headers.Add("ms / case");
        report.Table(headers, result.Summary.Select(r =>
        {
            var row = new List<string> { r.Dataset, r.Architecture, $"L{r.Depth}", r.Runs.ToString(CultureInfo.InvariantCulture), r.Dice.Format(), r.Iou.Format(), r.Hd95.Format("F2") };
            if (paper) row.Add(r.PaperIou.Format());
            row.Add(new MeanSd(r.SecondsPerCase.Mean * 1000, r.SecondsPerCase.Sd * 1000, r.SecondsPerCase.N).Format("F1"));
            return (IReadOnlyList<string>)row;
        }));

        report.Heading($"{spec.Reference} against each baseline (Wilcoxon signed-rank, paired per case and class)");
        report.Paragraph("Dice of each case averaged over seeds first; two-sided; zero differences dropped; exact distribution for n ≤ 50 without ties, " +
            "else normal approximation with tie and continuity correction. Median Δ > 0: the reference is better.");
        report.Table(["data set", "depth", "baseline", "Dice reference", "Dice baseline", "median Δ", "n", "W", "p", "test"],
            result.Comparisons.Select(c => (IReadOnlyList<string>)
            [
                c.Dataset, $"L{c.Depth}", c.Baseline, RunReport.F(c.ReferenceDice), RunReport.F(c.BaselineDice), c.Test.MedianDifference.ToString("+0.000;-0.000;0.000", CultureInfo.InvariantCulture),
                c.Test.N.ToString(CultureInfo.InvariantCulture), c.Test.Statistic.ToString("0.#", CultureInfo.InvariantCulture), ExperimentResult.FormatP(c.Test.PValue), c.Test.Exact ? "exact" : "normal",
            ]));

        report.Heading("Pruning curves");
        foreach (var dataset in spec.Datasets.Select(d => d.Name))
        {
            var series = result.Summary.Where(r => r.Dataset == dataset).GroupBy(r => r.Architecture)
                .Select(g => (g.Key, (IReadOnlyList<PruningPoint>)g.Select(r => new PruningPoint(r.Depth, r.SecondsPerCase.Mean, r.Dice.Mean)).ToList())).ToList();
            if (series.Count > 0) report.Png(PruningCurve.Png(series, $"{dataset}: Dice vs time per case"), $"pruning curve {dataset}",
                $"{dataset}: mean Dice over seeds against mean prediction time per case, one point per pruned depth");
        }

        report.Heading("Runs");
        report.Table(["data set", "architecture", "seed", "steps", "training s", "chosen depth", "folder"], result.Runs.Select(r => (IReadOnlyList<string>)
            [r.Dataset, r.Architecture, r.Seed.ToString(CultureInfo.InvariantCulture), r.Steps.ToString(CultureInfo.InvariantCulture),
             r.TrainingSeconds.ToString("F0", CultureInfo.InvariantCulture), $"L{r.ChosenDepth}", Path.GetRelativePath(folder, r.RunDirectory)]));
        report.Heading("Experiment settings (experiment.json)");
        string specPath = Path.Combine(folder, ExperimentRunner.SpecFile);
        report.Preformatted(File.Exists(specPath) ? File.ReadAllText(specPath) : "(experiment.json not found)");
        string path = Path.Combine(folder, FileName);
        report.Save(path);
        return path;
    }
}
