using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Evaluation;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// `unetsharp evaluate`: scores a prediction folder against a reference folder and writes cases.csv and summary.json.
/// Exit codes: 0 every file paired and scored; 3 results written but some files were unmatched or on a different grid
/// (listed); 2 bad arguments or an unreadable file (nothing written).
/// </summary>
public sealed class EvaluateCommand : Command<EvaluateCommand.Settings>
{
    public const int Incomplete = 3;

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--pred <DIR>"), Description("folder of predicted label maps (.nii.gz, .nii, .png, .tif) (required)")]
        public string? Pred { get; init; }

        [CommandOption("--ref <DIR>"), Description("folder of reference label maps, paired with predictions by file name without extension; with --instances also a DSB 2018 case folder set (required)")]
        public string? Ref { get; init; }

        [CommandOption("--labels <LIST>"), Description("labels to score, e.g. 1,2 (default: every non-zero value in the references)")]
        public string? Labels { get; init; }

        [CommandOption("--regions <LIST>"), Description("score overlapping label regions instead of labels: 'brats' (whole tumour 1,2,3,4; tumour core 1,3,4; enhancing tumour 4) or 'name=1,2,3;name=4' (default: labels)")]
        public string? Regions { get; init; }

        [CommandOption("--images <DIR>"), Description("folder of the input images (case.ext or nnU-Net channel files case_0000.ext, ...): report.html then draws the best, median and worst cases over every channel, one picture per class or region (default: contours on black)")]
        public string? Images { get; init; }

        [CommandOption("--out <DIR>"), Description("folder for cases.csv and summary.json (default: the --pred folder, as nnU-Net; never inside --ref)")]
        public string? Out { get; init; }

        [CommandOption("--allow-missing"), Description("score only the predicted cases, skipping references without a prediction (nnU-Net's -chill); says how many were skipped (default: each is listed, exit 3)")]
        public bool AllowMissing { get; init; }

        [CommandOption("--nnunet-summary"), Description("summary.json also holds nnU-Net v2's keys (foreground_mean, mean, metric_per_case), so scripts written for nnU-Net read it (default: ours only)")]
        public bool NnUNetSummary { get; init; }

        [CommandOption("--json"), Description("print one JSON object (the summary.json content)")]
        public bool Json { get; init; }

        [CommandOption("--no-surface"), Description("skip HD95 and ASSD (overlap metrics only; much faster on large volumes)")]
        public bool NoSurface { get; init; }

        [CommandOption("--binary-foreground <V>"), Description("in label images holding only 0 and 255, the value that is class 1: 255 or 0"), DefaultValue(255)]
        public int BinaryForeground { get; init; } = 255;

        [CommandOption("--instances"), Description("files are instance label maps: add PQ, AJI and DSB score per case; Dice etc. on foreground")]
        public bool Instances { get; init; }

        public override ValidationResult Validate() => FlagChecks.First(
            FlagChecks.OneOf("--binary-foreground", BinaryForeground, 0, 255), FlagChecks.Folder("--out", Out));
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string pred = settings.Pred ?? throw new ConfigurationException("--pred <DIR> is required");
        string reference = settings.Ref ?? throw new ConfigurationException("--ref <DIR> is required");
        string outDir = FolderEvaluation.OutputDir(settings.Out, pred, reference);
        var options = new FolderEvaluationOptions
        {
            Labels = settings.Labels is null ? null : NetworkSettings.ParseList(settings.Labels, "--labels"),
            SurfaceDistances = !settings.NoSurface,
            BinaryForeground = settings.BinaryForeground,
            Instances = settings.Instances,
            AllowMissing = settings.AllowMissing,
            NnUNetSummary = settings.NnUNetSummary,
            Regions = settings.Regions is null ? null : UNetSharp.Metrics.LabelRegions.Parse(settings.Regions),
        };
        if (options.Regions is not null && (options.Labels is not null || options.Instances)) throw new ConfigurationException("--regions cannot be combined with --labels or --instances");
        // Everything is computed before anything is written: a bad file leaves no partial output.
        var result = FolderEvaluation.Run(pred, reference, options);
        result.Write(outDir);
        UNetSharp.Reporting.EvaluationReport.Write(outDir, result, settings.Images, options.Regions);
        foreach (string warning in result.Warnings) Console.Error.WriteLine($"warning: {warning}");

        if (settings.Json) CliOutput.Out.WriteLine(result.ToJson());
        else Print(result, outDir);
        return result.Complete ? 0 : Incomplete;
    }

    static void Print(FolderEvaluationResult result, string outDir)
    {
        static string F(double v, string format = "F3") => double.IsFinite(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";
        var table = new Table().Title($"{result.Summary.CaseResults.Count} cases");
        string Name(int label) => result.RegionNames is { } names && label >= 1 && label <= names.Count ? names[label - 1] : label.ToString(CultureInfo.InvariantCulture);
        table.AddColumns("class", "n", "Dice", "IoU", "prec", "recall", $"HD95 {result.DistanceUnit}", $"ASSD {result.DistanceUnit}", "gDice", "1-empty", "all-bg", "all-fg");
        var baseline = result.Baseline;
        foreach (var (c, i) in result.Summary.Classes.Select((c, i) => (c, i)))
            table.AddRow(Name(c.Label), c.Cases.ToString(CultureInfo.InvariantCulture), F(c.Dice), F(c.IoU),
                F(c.Precision), F(c.Recall), F(c.Hd95), F(c.Assd), F(c.GlobalDice), c.OneSideEmpty.ToString(CultureInfo.InvariantCulture),
                F(baseline?.AllBackground[i] ?? double.NaN), F(baseline?.AllForeground[i] ?? double.NaN));
        AnsiConsole.Write(table);
        if (baseline is not null)
        {
            AnsiConsole.MarkupLine($"all-bg / all-fg: Dice of a constant map (every voxel background / that class) on these references; the best one scores {F(baseline.Best)} mean Dice");
            if (!result.BeatsTrivialBaseline)
                AnsiConsole.MarkupLine($"[yellow]mean Dice {F(result.MeanDice)} does not beat the trivial baseline {F(baseline.Best)}: these predictions are no better than a constant map[/]");
        }
        if (result.Instances is { Count: > 0 } instances)
        {
            double Mean(Func<UNetSharp.Metrics.InstanceMetrics, double> pick) =>
                instances.Select(i => pick(i.Metrics)).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
            AnsiConsole.MarkupLine($"instances: DSB score {F(Mean(m => m.DsbScore))}, F1@0.5 {F(Mean(m => m.F1))}, PQ {F(Mean(m => m.PanopticQuality))} " +
                $"(SQ {F(Mean(m => m.SegmentationQuality))}, RQ {F(Mean(m => m.RecognitionQuality))}), AJI {F(Mean(m => m.AggregatedJaccardIndex))}, " +
                $"mean |count error| {F(instances.Average(i => (double)Math.Abs(i.Metrics.CountError)), "F1")}");
        }
        foreach (string f in result.UnmatchedPredictions) AnsiConsole.MarkupLine($"[yellow]no reference for prediction[/] {Markup.Escape(f)}");
        foreach (string f in result.UnmatchedReferences) AnsiConsole.MarkupLine($"[yellow]no prediction for reference[/] {Markup.Escape(f)}");
        if (result.SkippedReferences.Count > 0)
            AnsiConsole.MarkupLine($"{result.SkippedReferences.Count} reference(s) without a prediction skipped (--allow-missing)");
        foreach (var m in result.Mismatched) AnsiConsole.MarkupLine($"[yellow]not scored[/] {Markup.Escape(m.Case)}: {Markup.Escape(m.Problem)}");
        AnsiConsole.MarkupLine($"written to [bold]{Markup.Escape(Path.Combine(outDir, FolderEvaluationResult.SummaryFile))}[/] and {Markup.Escape(FolderEvaluationResult.CasesFile)}");
    }
}
