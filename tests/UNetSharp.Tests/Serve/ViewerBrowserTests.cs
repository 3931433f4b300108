using Microsoft.Playwright;
using UNetSharp.IO;
using UNetSharp.Tests.Inference.Jobs;

namespace UNetSharp.Tests.Serve;

/// <summary>
/// The viewer page in headless Debian chromium driven by Playwright: a picked image is segmented at the chosen depth and
/// its overlay painted, pixel for pixel the library's own label map, with no console errors. Skipped when
/// /usr/bin/chromium is absent (.ci/run installs it as root).
/// </summary>
[Trait("Category", "Slow")]
public sealed class ViewerBrowserTests(ServeRunFolder files) : IClassFixture<ServeRunFolder>
{
    const string Chromium = "/usr/bin/chromium";

    /// <summary>Counts painted (non-transparent) overlay pixels of the slice on show.</summary>
    const string PaintedPixels = "() => { const c = document.getElementById('overlay'); const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;" +
        " let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return [n, c.width, c.height]; }";

    [SkippableFact]
    public async Task APickedPngIsSegmentedAtL1AndItsOverlayAppears()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is not installed (apt-get install chromium; .ci/run does it when run as root)");
        string png = PredictionTestFiles.WritePng(Path.Combine(files.NewDir("in"), "cells.png"), 48, 40, seed: 5);
        int expected = Foreground(files.Predicted(png, depth: 1), ".png", slice: 0);
        await using var server = await files.StartAsync();
        var (page, errors, dispose) = await OpenViewer(server);
        await using var _ = dispose;

        await page.SelectOptionAsync("#depth", "1");
        await page.SetInputFilesAsync("#file", png);
        await page.WaitForSelectorAsync("#overlay[data-state=done]", new() { Timeout = 60_000 });

        Assert.StartsWith("L1: ", await page.TextContentAsync("#latency"));
        var painted = await page.EvaluateAsync<int[]>(PaintedPixels);
        Assert.Equal([expected, 40, 48], painted);
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    [SkippableFact]
    public async Task ANiftiVolumeShowsOneSliceWithASliderAndATiffStackToo()
    {
        Skip.IfNot(File.Exists(Chromium), $"{Chromium} is not installed (apt-get install chromium; .ci/run does it when run as root)");
        string nifti = PredictionTestFiles.WriteOblique(Path.Combine(files.NewDir("in"), "scan.nii.gz"), x: 24, y: 20, z: 5);
        byte[] niftiLabels = files.Predicted(nifti, depth: 2);
        string tiff = Path.Combine(files.NewDir("in"), "stack.tif");
        var volume = ImageFile.Read(nifti);
        TiffFile.Write(tiff, new RasterImage(volume.Data.Select(v => v - 50).ToArray(), 1, volume.Shape, 16), 16);
        byte[] tiffLabels = files.Predicted(tiff, depth: 2);
        await using var server = await files.StartAsync();
        var (page, errors, dispose) = await OpenViewer(server);
        await using var _ = dispose;

        await page.SetInputFilesAsync("#file", nifti);
        await page.WaitForSelectorAsync("#overlay[data-state=done]", new() { Timeout = 60_000 });
        Assert.True(await page.IsVisibleAsync("#slice"));
        Assert.Equal("3 / 5", await page.TextContentAsync("#slice-label"));   // the middle slice first
        Assert.Equal([Foreground(niftiLabels, ".nii.gz", slice: 2), 24, 20], await page.EvaluateAsync<int[]>(PaintedPixels));
        await page.FillAsync("#slice", "4");
        Assert.Equal([Foreground(niftiLabels, ".nii.gz", slice: 4), 24, 20], await page.EvaluateAsync<int[]>(PaintedPixels));

        await page.SetInputFilesAsync("#file", tiff);
        await page.WaitForSelectorAsync("#overlay[data-state=done]", new() { Timeout = 60_000 });
        Assert.Equal([Foreground(tiffLabels, ".tif", slice: 2), 24, 20], await page.EvaluateAsync<int[]>(PaintedPixels));
        Assert.True(errors.Count == 0, string.Join("\n", errors));
    }

    /// <summary>A page on the viewer with console errors and uncaught exceptions collected; the model description loaded.</summary>
    static async Task<(IPage Page, List<string> Errors, IAsyncDisposable Dispose)> OpenViewer(UNetSharp.Serve.SegmentationServer server)
    {
        var playwright = await Playwright.CreateAsync();
        var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = Chromium, Headless = true, Args = ["--no-sandbox"] });
        var page = await browser.NewPageAsync();
        var errors = new List<string>();
        page.Console += (_, message) => { if (message.Type == "error") lock (errors) errors.Add(message.Text); };
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };
        await page.GotoAsync(server.Address + "/");
        await page.WaitForFunctionAsync("() => document.getElementById('model').textContent.includes('depths L1, L2')");
        return (page, errors, new Closer(async () => { await browser.CloseAsync(); playwright.Dispose(); }));
    }

    sealed class Closer(Func<Task> close) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await close();
    }

    /// <summary>Foreground pixels of one slice of a label file.</summary>
    static int Foreground(byte[] file, string extension, int slice)
    {
        string path = Path.Combine(Path.GetTempPath(), $"unetsharp-viewer-{Guid.NewGuid():N}{extension}");
        File.WriteAllBytes(path, file);
        try
        {
            var (labels, shape, _) = ImageFile.ReadLabels(path);
            int plane = shape[^1] * shape[^2];
            return labels.Skip(slice * plane).Take(plane).Count(v => v != 0);
        }
        finally { File.Delete(path); }
    }
}
