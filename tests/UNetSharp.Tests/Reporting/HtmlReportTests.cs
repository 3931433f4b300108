using System.Text.RegularExpressions;
using SkiaSharp;
using UNetSharp.Cli;
using UNetSharp.Experiments;
using UNetSharp.Reporting;
using UNetSharp.Tests.Evaluation;
using UNetSharp.Tests.Experiments;

namespace UNetSharp.Tests.Reporting;

/// <summary>report.html of a run, an evaluation and an experiment: self-contained (every picture a data: URI that decodes,
/// no script, no network address) with the sections a reader looks for.</summary>
public sealed partial class HtmlReportTests
{
    [GeneratedRegex("<img [^>]*src=\"([^\"]*)\"")] private static partial Regex ImageSource();

    /// <summary>Every img's bytes, decoded; the page must reference nothing outside itself.</summary>
    public static IReadOnlyList<SKBitmap> Pictures(string html)
    {
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("http://", html);
        Assert.DoesNotContain("https://", html);
        var bitmaps = new List<SKBitmap>();
        foreach (Match m in ImageSource().Matches(html))
        {
            string src = m.Groups[1].Value;
            Assert.StartsWith("data:image/png;base64,", src);
            var bitmap = SKBitmap.Decode(Convert.FromBase64String(src["data:image/png;base64,".Length..]));
            Assert.NotNull(bitmap);
            Assert.True(bitmap.Width > 0 && bitmap.Height > 0);
            bitmaps.Add(bitmap);
        }
        return bitmaps;
    }

    [Fact]
    public void ARunReportHasCurvesMetricsPruningCurveAndCaseOverlays()
    {
        var x = TinyExperiment.Shared;
        string html = File.ReadAllText(Path.Combine(x.Spec.RunFolder("cells", "unet#", 7), RunReport.FileName));
        var pictures = Pictures(html);
        // learning curves + pruning curve + best (the 1 validation case is best, median and worst at once)
        Assert.Equal(3, pictures.Count);
        foreach (var section in new[] { "Learning curves", "Validation metrics per depth and class", "Pruning curve", "Best, median and worst", "Configuration (config.json)", "Plan (plan.json)" })
            Assert.Contains(section, html);
        Assert.Contains("reference", html);
        Assert.Single(Regex.Matches(html, @"<td>L\d \(chosen\)</td>"));           // one depth is marked chosen
        Assert.Contains("&quot;arch&quot;: &quot;unet#&quot;", html);        // config.json, escaped
    }

    [Fact]
    public void AnExperimentReportHasTheComparisonTableWithPValuesAndAPruningCurve()
    {
        var x = TinyExperiment.Shared;
        string html = File.ReadAllText(x.ReportPath);
        Assert.Single(Pictures(html));                                  // the one data set's pruning curve
        Assert.Contains("unet# against each baseline", html);
        foreach (var c in x.Result.Comparisons)
            Assert.Contains($"<td>cells</td><td>L{c.Depth}</td><td>unet++</td>", html);
        Assert.Contains("paper IoU", html);
    }

    [Fact]
    public void EvaluateWritesAReportWithTheBestMedianAndWorstCases()
    {
        using var tmp = new EvalTempDir();
        string pred = tmp.Sub("pred"), reference = tmp.Sub("ref"), output = Path.Combine(tmp.Path, "out");
        int[] shape = [16, 16];
        for (int i = 0; i < 3; i++)
        {
            EvalFiles.Png(reference, $"c{i}.png", EvalFiles.Box(shape, [4, 4], [12, 12]), 16, 16);
            EvalFiles.Png(pred, $"c{i}.png", EvalFiles.Box(shape, [4, 4 + 2 * i], [12, 12 + 2 * i]), 16, 16);  // Dice 1, 0.75, 0.5
        }
        int code = CliApp.Run(["evaluate", "--pred", pred, "--ref", reference, "--out", output], new StringWriter(), new StringWriter());
        Assert.Equal(0, code);
        string html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Equal(3, Pictures(html).Count);
        Assert.Contains("best: c0, Dice 1.000", html);
        Assert.Contains("median: c1, Dice 0.750", html);
        Assert.Contains("worst: c2, Dice 0.500", html);
    }
}
