using Microsoft.Playwright;
using SkiaSharp;
using UNetSharp.Reporting;
using UNetSharp.Tests.Experiments;

namespace UNetSharp.Tests.Reporting;

/// <summary>
/// The experiment's and a run's report.html opened from disk in headless Debian chromium (Playwright): no console error,
/// every picture decodes (naturalWidth &gt; 0), and a screenshot is not blank. Skipped when /usr/bin/chromium is absent
/// (.ci/run installs it as root), as the viewer's browser test.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ReportBrowserTests
{
    const string Chromium = "/usr/bin/chromium";

    [SkippableFact]
    public async Task ReportsLoadWithoutErrorsAndEveryPictureDecodes()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is not installed (apt-get install chromium; .ci/run does it when run as root)");
        var x = TinyExperiment.Shared;
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        foreach (string report in new[] { x.ReportPath, Path.Combine(x.Spec.RunFolder("cells", "unet#", 7), RunReport.FileName) })
        {
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1200, Height = 900 } });
            var errors = new List<string>();
            page.Console += (_, message) => { if (message.Type == "error") lock (errors) errors.Add(message.Text); };
            page.PageError += (_, error) => { lock (errors) errors.Add(error); };
            page.RequestFailed += (_, request) => { lock (errors) errors.Add($"request failed: {request.Url}"); };
            await page.GotoAsync(new Uri(report).AbsoluteUri, new() { WaitUntil = WaitUntilState.Load });

            var widths = await page.EvaluateAsync<int[]>("() => Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)");
            Assert.NotEmpty(widths);
            Assert.All(widths, w => Assert.True(w > 0, $"{report}: a picture did not decode"));

            byte[] shot = await page.ScreenshotAsync(new() { FullPage = true });
            using var bitmap = SKBitmap.Decode(shot);
            Assert.True(Colours(bitmap) > 50, $"{report}: the screenshot is (nearly) blank");
            Assert.True(errors.Count == 0, $"{report}: " + string.Join("\n", errors));
            await page.CloseAsync();
        }
    }

    /// <summary>Distinct colours on a sampling grid: text, tables and plots give hundreds, a blank page one.</summary>
    static int Colours(SKBitmap bitmap)
    {
        var seen = new HashSet<SKColor>();
        for (int y = 0; y < bitmap.Height; y += 3)
            for (int x = 0; x < bitmap.Width; x += 3) seen.Add(bitmap.GetPixel(x, y));
        return seen.Count;
    }
}
