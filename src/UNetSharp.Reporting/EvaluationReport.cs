using System.Globalization;
using UNetSharp.Evaluation;
using UNetSharp.IO;

namespace UNetSharp.Reporting;

/// <summary>report.html of `evaluate`: metrics per class, every case, and best/median/worst cases with the prediction and
/// reference contours (over a black background: evaluate has no images).</summary>
public static class EvaluationReport
{
    public const string FileName = UNetSharp.Evaluation.FolderEvaluationResult.ReportFile;

    public static string Write(string folder, FolderEvaluationResult result)
    {
        var report = new HtmlReport("evaluation");
        report.Paragraph($"predictions {result.PredictionDir} against references {result.ReferenceDir}; {result.Summary.CaseResults.Count} cases scored" +
            (result.Complete ? "." : $"; {result.UnmatchedPredictions.Count + result.UnmatchedReferences.Count + result.Mismatched.Count} files not scored (see summary.json)."));
        report.Heading("Metrics per class (mean over cases)");
        report.Table(["class", "cases", "Dice", "IoU", "precision", "recall", "HD95", "ASSD", "global Dice", "one side empty"],
            result.Summary.Classes.Select(c => (IReadOnlyList<string>)
            [
                c.Label.ToString(CultureInfo.InvariantCulture), c.Cases.ToString(CultureInfo.InvariantCulture), RunReport.F(c.Dice), RunReport.F(c.IoU),
                RunReport.F(c.Precision), RunReport.F(c.Recall), RunReport.F(c.Hd95, "F2"), RunReport.F(c.Assd, "F2"), RunReport.F(c.GlobalDice),
                c.OneSideEmpty.ToString(CultureInfo.InvariantCulture),
            ]));

        var scored = result.Summary.CaseResults.Select(c => (Case: c.CaseId ?? "",
            Dice: c.Classes.Select(k => k.Overlap.Dice).Where(v => !double.IsNaN(v)).DefaultIfEmpty(double.NaN).Average())).ToList();
        var picks = CaseGallery.Pick(scored.Select(s => (s.Case, s.Dice)));
        if (picks.Count > 0)
        {
            report.Heading("Best, median and worst cases");
            report.OverlayLegend();
            foreach (var (rank, id, dice) in picks)
            {
                string? pred = Find(result.PredictionDir, id), reference = Find(result.ReferenceDir, id);
                if (pred is null || reference is null) continue;
                var (p, shape, _) = ImageFile.ReadLabels(pred);
                var (r, _, _) = ImageFile.ReadLabels(reference);
                var (png, where) = CaseGallery.Overlay(null, shape, p, r);
                report.Png(png, $"{rank} case {id}", $"{rank}: {id}, Dice {dice.ToString("F3", CultureInfo.InvariantCulture)}{where}");
            }
        }
        report.Heading("Every case");
        report.Table(["case", "class", "Dice", "IoU", "HD95"], result.Summary.CaseResults.SelectMany(c => c.Classes.Select(k => (IReadOnlyList<string>)
            [c.CaseId ?? "", k.Label.ToString(CultureInfo.InvariantCulture), RunReport.F(k.Overlap.Dice), RunReport.F(k.Overlap.IoU), RunReport.F(k.Distance.Hd95, "F2")])));
        string path = Path.Combine(folder, FileName);
        report.Save(path);
        return path;
    }

    /// <summary>The label file of a case in a folder (its name without extension is the case id).</summary>
    static string? Find(string folder, string id) => Directory.Exists(folder)
        ? Directory.EnumerateFiles(folder).Where(ImageFile.IsSupported).FirstOrDefault(f => ImageFile.Stem(f) == id)
        : null;
}
