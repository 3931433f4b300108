using SkiaSharp;
using UNetSharp.Reporting;
using UNetSharp.Overlays;
using UNetSharp.Training;

namespace UNetSharp.Tests.Reporting;

public sealed class ReportingTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-report-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void OverlayDrawsReferenceAndPredictionContoursOverTheImage()
    {
        const int h = 16, w = 16;
        var image = new float[h * w];
        var pred = new int[h * w];
        var reference = new int[h * w];
        for (int y = 4; y < 12; y++)
            for (int x = 4; x < 12; x++) { reference[y * w + x] = 1; image[y * w + x] = 1; }
        for (int y = 4; y < 12; y++)
            for (int x = 6; x < 14; x++) pred[y * w + x] = 1;
        string path = Path.Combine(dir, "o.png");
        OverlayImage.Write(path, image, h, w, pred, reference, zoom: 2);
        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal(32, bitmap.Width);
        SKColor At(int x, int y) => bitmap.GetPixel(2 * x, 2 * y);
        Assert.Equal(new SKColor(40, 220, 60), At(4, 8));    // reference only: left edge of the reference square
        Assert.Equal(new SKColor(255, 40, 40), At(13, 8));   // prediction only: right edge of the prediction
        Assert.Equal(new SKColor(255, 220, 0), At(8, 4));    // both: shared top edge
        Assert.Equal(new SKColor(255, 255, 255), At(8, 8));  // interior: image value 1 = white
        Assert.Equal(new SKColor(0, 0, 0), At(1, 1));        // background: image 0 = black
    }

    [Fact]
    public void CurvesAreAPngOfTheRequestedSize()
    {
        string path = Path.Combine(dir, "curves.png");
        var points = Enumerable.Range(1, 10).Select(e => new CurvePoint(e, 1.0 / e, e % 2 == 0 ? 1.2 / e : null, e % 2 == 0 ? 1 - 1.0 / e : null)).ToList();
        TrainingCurves.Write(path, points, width: 400, height: 300);
        using var bitmap = SKBitmap.Decode(path);
        Assert.Equal((400, 300), (bitmap.Width, bitmap.Height));
    }

    [Fact]
    public void BusiestSliceIsTheFirstWithTheMostForegroundElseTheFallback()
    {
        // Three 2x2 slices with 1, 3 and 3 non-zero labels: slice 1 wins (first of the tie).
        int[] labels = { 0, 0, 0, 2, 1, 1, 0, 1, 2, 2, 2, 0 };
        Assert.Equal(1, OverlayImage.BusiestSlice<int>(labels, 4));
        Assert.Equal(1, OverlayImage.BusiestSlice<byte>(new byte[12], 4, fallback: 1));
        Assert.Equal(0, OverlayImage.BusiestSlice<byte>(new byte[12], 4));
    }

    [Fact]
    public void MismatchedOverlayArraysAreRejected() =>
        Assert.Throws<ArgumentException>(() => OverlayImage.Write(Path.Combine(dir, "x.png"), new float[4], 2, 2, new int[3]));
}
