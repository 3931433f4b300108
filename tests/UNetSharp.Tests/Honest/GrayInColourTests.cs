using UNetSharp.Cli;
using UNetSharp.IO;
using UNetSharp.Pipeline;
using UNetSharp.Tests.Pipeline;

namespace UNetSharp.Tests.Honest;

/// <summary>Gray images stored as RGB or RGBA (R = G = B, opaque alpha; common in DSB 2018) are read as gray by a
/// one-channel model, predict the same map as the gray file, and are reported once.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)] // trains: seeds torch's global generator
public sealed class GrayInColourTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-grayrgb-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void AOneChannelModelPredictsGrayStoredAsRgbaAsTheGrayImage()
    {
        string data = RunTestData.Cells(Path.Combine(root, "data"), images: 4), run = Path.Combine(root, "run");
        TrainingRun.Run(RunTestData.Tiny(data, run, epochs: 1));
        string gray = Directory.EnumerateFiles(Path.Combine(data, "images")).Order().First();
        var image = PngFile.Read(gray);
        Assert.Equal(1, image.Channels);
        string inputs = Directory.CreateDirectory(Path.Combine(root, "inputs")).FullName;
        // the same pixels as RGBA: R = G = B = gray, alpha 255
        var rgba = new float[image.Data.Length * 4];
        for (int c = 0; c < 3; c++) image.Data.CopyTo(rgba, c * image.Data.Length);
        Array.Fill(rgba, 255f, 3 * image.Data.Length, image.Data.Length);
        PngFile.Write(Path.Combine(inputs, "rgba.png"), new RasterImage(rgba, 4, image.Shape, 8));
        File.Copy(gray, Path.Combine(inputs, "gray.png"));

        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        string pred = Path.Combine(root, "pred");
        int code = CliApp.Run(["predict", "--model", run, "--input", inputs, "--out", pred, "--threads", "1"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString() + stdout);
        Assert.Equal(ImageFile.ReadLabels(Path.Combine(pred, "gray.png")).Labels, ImageFile.ReadLabels(Path.Combine(pred, "rgba.png")).Labels);
        Assert.Single(stdout.ToString().Split('\n'), l => l.Contains("1 image(s) stored as RGB(A) with R = G = B were read as gray for this one-channel model"));
    }
}
