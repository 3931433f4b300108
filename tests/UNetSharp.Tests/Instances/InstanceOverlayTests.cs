using UNetSharp.IO;
using UNetSharp.Overlays;

namespace UNetSharp.Tests.Instances;

public sealed class InstanceOverlayTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-instoverlay-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Reference_and_prediction_panels_show_each_instance_in_its_colour()
    {
        // 64×64 (zoom 4): a 5×5 instance 3 in the prediction at rows/cols 10–14; the reference holds instance 7 there.
        int h = 64, w = 64;
        var image = new float[h * w]; // all 0: gray 0 after scaling
        var prediction = new int[h * w];
        var reference = new int[h * w];
        for (int y = 10; y < 15; y++) for (int x = 10; x < 15; x++) { prediction[y * w + x] = 3; reference[y * w + x] = 7; }
        string path = Path.Combine(root, "o.png");
        InstanceOverlay.Write(path, image, h, w, prediction, reference);

        var png = PngFile.Read(path);
        int zoom = 4, pw = 2 * w * zoom + 4, plane = h * zoom * pw;
        Assert.Equal([h * zoom, pw], png.Shape);
        (float, float, float) Pixel(int y, int x) => (png.Data[y * pw + x], png.Data[plane + y * pw + x], png.Data[2 * plane + y * pw + x]);
        var c7 = InstanceOverlay.Colour(7);
        var c3 = InstanceOverlay.Colour(3);
        Assert.NotEqual(c3, c7);
        Assert.Equal(((float)c7.R, (float)c7.G, (float)c7.B), Pixel(10 * zoom, 10 * zoom));                  // reference edge, left panel
        Assert.Equal(((float)c3.R, (float)c3.G, (float)c3.B), Pixel(10 * zoom, w * zoom + 4 + 10 * zoom));    // prediction edge, right panel
        Assert.Equal((MathF.Floor(c3.R / 2f), MathF.Floor(c3.G / 2f), MathF.Floor(c3.B / 2f)), Pixel(12 * zoom, w * zoom + 4 + 12 * zoom)); // interior: tint over gray 0
        Assert.Equal((255f, 255f, 255f), Pixel(0, w * zoom + 1));                                               // the gap
        Assert.Equal((0f, 0f, 0f), Pixel(0, 0));                                                                // background stays gray
    }
}
