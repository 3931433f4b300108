using System.Globalization;
using UNetSharp.Evaluation;
using UNetSharp.IO;

namespace UNetSharp.Reporting;

/// <summary>report.html of `evaluate`: metrics per class, every case, and best/median/worst cases with the prediction and
/// reference contours (over a black background: evaluate has no images).</summary>
public static class EvaluationReport
{
    public const string FileName = UNetSharp.Evaluation.FolderEvaluationResult.ReportFile;

    /// <param name="images">Optional folder of the input images (case.ext, or nnU-Net channel files case_0000.ext,
    /// case_0001.ext, ...): the best/median/worst cases are then drawn over every channel, one picture per class or region.</param>
    public static string Write(string folder, FolderEvaluationResult result, string? images = null, UNetSharp.Metrics.LabelRegions? regions = null)
    {
        var report = new HtmlReport("evaluation");
        string Name(int label) => result.RegionNames is { } names && label >= 1 && label <= names.Count ? names[label - 1] : label.ToString(CultureInfo.InvariantCulture);
        report.Paragraph($"predictions {result.PredictionDir} against references {result.ReferenceDir}; {result.Summary.CaseResults.Count} cases scored" +
            (result.Complete ? "." : $"; {result.UnmatchedPredictions.Count + result.UnmatchedReferences.Count + result.Mismatched.Count} files not scored (see summary.json)."));
        BaselineSection.Add(report, result.Baseline, result.BeatsTrivialBaseline ? null
            : $"mean Dice {RunReport.F(result.MeanDice)} does not beat the trivial baseline {RunReport.F(result.Baseline!.Best)}: these predictions are no better than a constant map.");
        report.Heading("Metrics per class (mean over cases)");
        report.Table(["class", "cases", "Dice", "IoU", "precision", "recall", $"HD95 ({result.DistanceUnit})", $"ASSD ({result.DistanceUnit})", "global Dice", "one side empty"],
            result.Summary.Classes.Select(c => (IReadOnlyList<string>)
            [
                Name(c.Label), c.Cases.ToString(CultureInfo.InvariantCulture), RunReport.F(c.Dice), RunReport.F(c.IoU),
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
                var channels = images is null ? [] : ChannelFiles(images, id);
                if (channels.Count == 0)
                {
                    var (png, where) = CaseGallery.Overlay(null, shape, p, r);
                    report.Png(png, $"{rank} case {id}", $"{rank}: {id}, Dice {dice.ToString("F3", CultureInfo.InvariantCulture)}{where}");
                    continue;
                }
                // over each input channel, one picture per class (or region): that class's predicted and reference contours
                foreach (var (channel, file) in channels.Select((f, i) => (i, f)))
                {
                    var image = ImageFile.Read(file);
                    if (!image.Shape.SequenceEqual(shape)) continue;
                    foreach (int label in result.Labels)
                    {
                        int[] pm, rm;
                        if (regions is not null) { pm = regions.Mask(p, label - 1); rm = regions.Mask(r, label - 1); }
                        else { pm = p.Select(v => v == label ? 1 : 0).ToArray(); rm = r.Select(v => v == label ? 1 : 0).ToArray(); }
                        var (png, where) = CaseGallery.Overlay(image.Data, shape, pm, rm);
                        report.Png(png, $"{rank} case {id} channel {channel} {Name(label)}",
                            $"{rank}: {id}, channel {channel} ({Path.GetFileName(file)}), {Name(label)}{where}");
                    }
                }
            }
            report.Heading("Legend");
            report.Table(["label", regions is null ? "class" : "region", "labels"], result.Labels.Select(l => (IReadOnlyList<string>)
                [l.ToString(CultureInfo.InvariantCulture), Name(l), regions is null ? l.ToString(CultureInfo.InvariantCulture) : string.Join(",", regions.Regions[l - 1].Labels)]));
        }
        report.Heading("Every case");
        report.Table(["case", "class", "Dice", "IoU", $"HD95 ({result.DistanceUnit})"], result.Summary.CaseResults.SelectMany(c => c.Classes.Select(k => (IReadOnlyList<string>)
            [c.CaseId ?? "", Name(k.Label), RunReport.F(k.Overlap.Dice), RunReport.F(k.Overlap.IoU), RunReport.F(k.Distance.Hd95, "F2")])));
        string path = Path.Combine(folder, FileName);
        report.Save(path);
        return path;
    }

    /// <summary>The image of a case (case.ext) or its nnU-Net channel files (case_0000.ext, case_0001.ext, ...), in channel order.</summary>
    static List<string> ChannelFiles(string folder, string id)
    {
        if (!Directory.Exists(folder)) return [];
        var files = Directory.EnumerateFiles(folder).Where(ImageFile.IsSupported).ToList();
        var single = files.FirstOrDefault(f => ImageFile.Stem(f) == id);
        if (single is not null) return [single];
        return files.Where(f => ImageFile.Stem(f) is { } s && s.Length == id.Length + 5 && s.StartsWith(id + "_", StringComparison.Ordinal) && s[^4..].All(char.IsAsciiDigit))
            .Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>The label file of a case in a folder (its name without extension is the case id).</summary>
    static string? Find(string folder, string id) => Directory.Exists(folder)
        ? Directory.EnumerateFiles(folder).Where(ImageFile.IsSupported).FirstOrDefault(f => ImageFile.Stem(f) == id)
        : null;
}
