using System.Globalization;
using UNetSharp.Metrics;

namespace UNetSharp.Reporting;

/// <summary>The trivial baselines (Dice of constant label maps on the same references) beside the scores, and a warning
/// when the scores do not beat them.</summary>
static class BaselineSection
{
    public static void Add(HtmlReport report, TrivialBaseline? baseline, string? warning)
    {
        if (baseline is null) return;
        if (warning is not null) report.Warning(warning);
        report.Heading("Trivial baselines");
        report.Paragraph($"What a model that learned nothing scores on the same references: mean Dice of a constant map. A score must exceed the best of them by more than {TrivialBaseline.Margin.ToString(CultureInfo.InvariantCulture)} to count as learned.");
        report.Table(["class", "all background", "all foreground"], baseline.Labels.Select((l, i) => (IReadOnlyList<string>)
            [l.ToString(CultureInfo.InvariantCulture), RunReport.F(baseline.AllBackground[i]), RunReport.F(baseline.AllForeground[i])]));
        report.Paragraph($"best constant map: every voxel {baseline.BestConstant}, mean Dice {RunReport.F(baseline.Best)}.");
    }
}
