using UNetSharp.Onnx;
using UNetSharp.Models;
using UNetSharp.Tests.Models;

namespace UNetSharp.Tests.Export;

/// <summary>Anisotropic strides in ONNX: per-axis MaxPool kernels and Resize scales give TorchSharp's logits under ONNX Runtime.</summary>
public sealed class AnisotropicOnnxTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-onnx-aniso-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Theory]
    [InlineData("unet#", 1)]
    [InlineData("unet#", 2)]
    [InlineData("unet3+", 2)]
    public void Anisotropic3DMatchesOnnxRuntime(string arch, int depth)
    {
        using var net = OnnxTestNets.Random(AnisotropicStrideTests.Anisotropic3D(arch, cgm: arch == "unet#"));
        string path = Path.Combine(root, $"{arch}-aniso-l{depth}.onnx");
        OnnxExporter.Export(net, depth, path);   // dynamic size: constant per-axis scales must still give exact sizes
        var result = OnnxVerification.Compare(net, depth, path, [6, 8, 12], batch: 1, threads: 1);
        Assert.True(result.MaxLogitsDifference < 1e-4, $"logits differ by {result.MaxLogitsDifference}");
        if (net.Config.Cgm) Assert.True(result.MaxPresenceDifference < 1e-4, $"presence differs by {result.MaxPresenceDifference}");
    }

    [Fact]
    public void Anisotropic2DMatchesAtAFixedSizeAndRecordsPerAxisMultiples()
    {
        var config = TinyNets.Config("unet#", dims: 2, depth: 2, classes: 2) with { Strides = new[] { new[] { 2, 1 }, new[] { 2, 2 } } };
        using var net = OnnxTestNets.Random(config);
        string path = Path.Combine(root, "aniso-2d.onnx");
        OnnxExporter.Export(net, 2, path, new OnnxExportOptions { InputSize = [16, 12] });
        var result = OnnxVerification.Compare(net, 2, path, [16, 12], batch: 2, threads: 1);
        Assert.True(result.MaxLogitsDifference < 1e-4, $"logits differ by {result.MaxLogitsDifference}");

        using var onnx = new OnnxInference(path, threads: 1);
        Assert.Equal("4x2", onnx.Metadata["unetsharp.size_multiple"]);
        // Height needs a multiple of 4 (strides 2, 2), width of 2 (strides 1, 2): 14 is refused.
        Assert.Throws<ConfigurationException>(() => OnnxExporter.Export(net, 2, Path.Combine(root, "bad.onnx"), new OnnxExportOptions { InputSize = [14, 12] }));
    }
}
