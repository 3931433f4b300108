using System.Globalization;
using UNetSharp.Pipeline;
using UNetSharp.Training;

namespace UNetSharp.Reporting;

/// <summary>report.html of a training run: settings and plan, learning curves, metrics per class and depth, the pruning
/// curve, best/median/worst validation cases with overlays.</summary>
public static class RunReport
{
    public const string FileName = "report.html";

    public static string Write(TrainRunResult result)
    {
        string run = result.RunDirectory;
        var report = new HtmlReport($"training run {Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(run)))}");
        report.Paragraph($"{result.Epochs} epochs, {result.TrainingSeconds.ToString("F0", CultureInfo.InvariantCulture)} s of training on {result.TrainingCases} cases; " +
            $"best epoch {result.BestEpoch}; {result.ValidationCases} validation cases; prediction depth L{result.ChosenDepth}.");
        BaselineSection.Add(report, result.Baseline, result.BeatsTrivialBaseline
            ? null : $"The chosen depth L{result.ChosenDepth} does not beat the trivial baseline: this model has learned nothing a constant map would not give.");

        report.Heading("Learning curves");
        var history = ReadHistory(Path.Combine(run, HistoryCsv.FileName));
        if (history.Count > 0) report.Png(TrainingCurves.Png(history), "learning curves", "training loss (left axis) and validation Dice (right axis) per epoch");
        else report.Paragraph("no history.csv in the run folder");

        if (result.DepthChoice is { } choice) DepthChoiceSection(report, choice);

        if (result.Depths.Count > 0) report.Heading("Validation metrics per depth and class"); // the all fold validates nothing
        if (result.Depths.Count > 0) report.Table(["depth", "class", "cases", "Dice", "IoU", "precision", "recall", "HD95", "ASSD", "s / case"],
            result.Depths.OrderBy(d => d.Key).SelectMany(d => d.Value.Summary.Classes.Select(c => (IReadOnlyList<string>)
            [
                $"L{d.Key}{(d.Key == result.ChosenDepth ? " (chosen)" : "")}", c.Label.ToString(CultureInfo.InvariantCulture), c.Cases.ToString(CultureInfo.InvariantCulture),
                F(c.Dice), F(c.IoU), F(c.Precision), F(c.Recall), F(c.Hd95, "F2"), F(c.Assd, "F2"), F(d.Value.SecondsPerCase, "F4"),
            ])));
        if (result.Depths.Count > 0)
        {
            report.Heading("Pruning curve");
            report.Png(PruningCurve.Png([("this run", result.Depths.OrderBy(d => d.Key).Select(d => new PruningPoint(d.Key, d.Value.SecondsPerCase, d.Value.MeanDice)).ToList())]),
                "pruning curve", "mean validation Dice against prediction time per case at each pruned depth");
        }

        if (result.Depths.TryGetValue(result.ChosenDepth, out var chosen) && chosen.Predictions.Count > 0)
        {
            report.Heading($"Best, median and worst validation cases at L{result.ChosenDepth}");
            var dice = chosen.Summary.CaseResults.ToDictionary(c => c.CaseId ?? "", c => MeanDice(c));
            var picks = CaseGallery.Pick(chosen.Predictions.Select(p => (p, dice.GetValueOrDefault(p.Case.Id, double.NaN))));
            CaseGallery.Add(report, picks.Select(p => (p.Rank, p.Item.Case, p.Item.Prediction, p.Score)));
        }

        report.Heading("Configuration (config.json)");
        report.Preformatted(ReadOrNote(Path.Combine(run, TrainingRun.ConfigFileName)));
        report.Heading("Plan (plan.json)");
        report.Preformatted(ReadOrNote(Path.Combine(run, UNetSharp.Planning.ExperimentPlan.FileName)));
        string path = Path.Combine(run, FileName);
        report.Save(path);
        return path;
    }

    /// <summary>Every depth's Dice and speed beside the rule that chose among them: what the prediction depth costs in accuracy and buys in speed.</summary>
    static void DepthChoiceSection(HtmlReport report, DepthChoice choice)
    {
        report.Heading("Prediction depth: the rule and what it costs");
        report.Paragraph($"{choice.Description}; chose L{choice.Chosen}.");
        var rows = choice.Table();
        report.Table(["depth", "mean Dice", "ms / case", "Dice below best", "speed-up over full depth", ""], rows.Select(r => (IReadOnlyList<string>)
        [
            $"L{r!["depth"]}", Cell(r["mean_dice"], "F4"), Cell(r["ms_per_case"], "F2"), Cell(r["dice_below_best"], "F4"), Cell(r["speedup_over_full_depth"], "F2"),
            r["chosen"]!.GetValue<bool>() ? "chosen" : "",
        ]));
    }

    static string Cell(System.Text.Json.Nodes.JsonNode? value, string format) => value is null ? "–" : F(value.GetValue<double>(), format);

    static double MeanDice(UNetSharp.Metrics.CaseEvaluation c)
    {
        var d = c.Classes.Select(k => k.Overlap.Dice).Where(v => !double.IsNaN(v)).ToList();
        return d.Count == 0 ? double.NaN : d.Average();
    }

    internal static string F(double v, string format = "F3") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "–";

    static string ReadOrNote(string path) => File.Exists(path) ? File.ReadAllText(path) : $"({Path.GetFileName(path)} not found)";

    /// <summary>The curve points of history.csv (columns found by name: epoch, train_loss, val_score).</summary>
    public static IReadOnlyList<CurvePoint> ReadHistory(string path)
    {
        if (!File.Exists(path)) return [];
        var lines = File.ReadAllLines(path);
        if (lines.Length < 2) return [];
        var header = lines[0].Split(',').ToList();
        int epoch = header.IndexOf("epoch"), loss = header.IndexOf("train_loss"), val = header.IndexOf("val_score");
        if (epoch < 0 || loss < 0) return [];
        static double? Number(string[] cells, int i) =>
            i >= 0 && i < cells.Length && double.TryParse(cells[i], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;
        return lines.Skip(1).Select(l => l.Split(',')).Where(c => c.Length == header.Count)
            .Select(c => new CurvePoint((int)(Number(c, epoch) ?? 0), Number(c, loss) ?? double.NaN, null, Number(c, val))).ToList();
    }
}
