using TorchSharp;
using UNetSharp.Onnx;
using UNetSharp.Models;
using UNetSharp.Tests.Models;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Export;

/// <summary>Exported ONNX models run by ONNX Runtime give TorchSharp's eval-mode Forward(x, depth) within 1e-4.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class OnnxExportTests : IDisposable
{
    const double Tolerance = 1e-4;
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-onnx-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string File(string name) => Path.Combine(root, name);

    static void AssertMatches(SegmentationNetwork net, int depth, string path, long[] spatial, int batch = 2)
    {
        var result = OnnxVerification.Compare(net, depth, path, spatial, batch, threads: 1);
        Assert.True(result.MaxLogitsDifference < Tolerance, $"logits differ by {result.MaxLogitsDifference}");
        if (net.Config.Cgm) Assert.True(result.MaxPresenceDifference < Tolerance, $"presence differs by {result.MaxPresenceDifference}");
        else Assert.Null(result.MaxPresenceDifference);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void UNetSharp2DWithCgmsMatchesAtEveryDepth(int depth)
    {
        using var net = OnnxTestNets.Random(TinyNets.Config("unet#", dims: 2, depth: 3, cgm: true));
        string path = File($"unet-sharp-l{depth}.onnx");
        OnnxExporter.Export(net, depth, path);
        AssertMatches(net, depth, path, [32, 32]);
    }

    [Theory]
    [InlineData("unet3+", 3)]
    [InlineData("unet++", 2)]
    [InlineData("unet++", 3)]
    [InlineData("unet", 3)]
    public void OtherArchitectures2DMatch(string arch, int depth)
    {
        using var net = OnnxTestNets.Random(TinyNets.Config(arch, dims: 2, depth: 3, classes: 2));
        string path = File($"{arch}-l{depth}.onnx");
        OnnxExporter.Export(net, depth, path);
        AssertMatches(net, depth, path, [32, 32]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void UNetSharp3DWithCgmsMatches(int depth)
    {
        using var net = OnnxTestNets.Random(TinyNets.Config("unet#", dims: 3, depth: 2, cgm: true));
        string path = File($"unet-sharp-3d-l{depth}.onnx");
        OnnxExporter.Export(net, depth, path, new OnnxExportOptions { InputSize = [16, 16, 16] });
        AssertMatches(net, depth, path, [16, 16, 16], batch: 1);
    }

    [Fact]
    public void InstanceNormMultiClassProbabilitiesMatch()
    {
        var config = TinyNets.Config("unet#", dims: 2, depth: 2, classes: 3, cgm: true) with { Norm = NormKind.Instance };
        using var net = OnnxTestNets.Random(config);
        string path = File("instance.onnx");
        OnnxExporter.Export(net, 2, path, new OnnxExportOptions { Probabilities = true });
        AssertMatches(net, 2, path, [32, 32]);

        using var scope = NewDisposeScope();
        var x = randn(1, 1, 32, 32);
        using var onnx = new OnnxInference(path, threads: 1);
        var output = onnx.Run(x.data<float>().ToArray(), [1, 1, 32, 32]);
        Tensor expected;
        using (no_grad()) expected = net.Forward(x, 2).Logits.softmax(1).contiguous();
        var actual = output.Probabilities!;
        Assert.Equal(new long[] { 1, 3, 32, 32 }, output.Shape);
        Assert.True(expected.data<float>().ToArray().Zip(actual).Max(p => Math.Abs(p.First - p.Second)) < Tolerance);
    }

    [Fact]
    public void DynamicSpatialSizeRunsAnyMultipleOfTheSizeStep()
    {
        using var net = OnnxTestNets.Random(TinyNets.Config("unet#", dims: 2, depth: 3, cgm: true));
        string path = File("dynamic.onnx");
        OnnxExporter.Export(net, 2, path);
        AssertMatches(net, 2, path, [32, 32], batch: 1);
        AssertMatches(net, 2, path, [48, 24], batch: 3);
        using var onnx = new OnnxInference(path);
        Assert.Contains("multiples of 4", Assert.Throws<ConfigurationException>(() => onnx.Run(new float[30 * 32], [1, 1, 30, 32])).Message);
    }

    [Fact]
    public void FixedSizeIsDeclaredAndOtherSizesAreRejected()
    {
        using var net = OnnxTestNets.Random(TinyNets.Config("unet#", dims: 2, depth: 2));
        string path = File("fixed.onnx");
        OnnxExporter.Export(net, 2, path, new OnnxExportOptions { InputSize = [32, 32] });
        using var onnx = new OnnxInference(path);
        Assert.Equal(new[] { -1, 1, 32, 32 }, onnx.InputDimensions);
        Assert.Throws<ConfigurationException>(() => onnx.Run(new float[64 * 64], [1, 1, 64, 64]));
        Assert.Throws<ConfigurationException>(() => onnx.Run(new float[10], [1, 1, 32, 32]));
    }

    [Fact]
    public void BadDepthOrSizeFailsClearlyAndWritesNothing()
    {
        using var net = OnnxTestNets.Random(TinyNets.Config("unet#", dims: 2, depth: 2));
        var depthError = Assert.Throws<ConfigurationException>(() => OnnxExporter.Export(net, 3, File("bad.onnx")));
        Assert.Contains("available depths are 1, 2", depthError.Message);
        Assert.Throws<ConfigurationException>(() => OnnxExporter.Export(net, 0, File("bad.onnx")));
        var sizeError = Assert.Throws<ConfigurationException>(() => OnnxExporter.Export(net, 2, File("bad.onnx"), new OnnxExportOptions { InputSize = [30, 32] }));
        Assert.Contains("multiple of 2^2", sizeError.Message);
        Assert.Throws<ConfigurationException>(() => OnnxExporter.Export(net, 2, File("bad.onnx"), new OnnxExportOptions { InputSize = [32, 32, 32] }));

        using var noSupervision = OnnxTestNets.Random(TinyNets.Config("unet#", dims: 2, depth: 2) with { DeepSupervision = false });
        Assert.Contains("deep supervision", Assert.Throws<ConfigurationException>(() => OnnxExporter.Export(noSupervision, 1, File("bad.onnx"))).Message);
        Assert.Empty(Directory.GetFiles(root));
    }

    [Fact]
    public void ComparisonDetectsADifferentNetwork()
    {
        using var exported = OnnxTestNets.Random(TinyNets.Config("unet#", dims: 2, depth: 2), seed: 1);
        using var other = OnnxTestNets.Random(TinyNets.Config("unet#", dims: 2, depth: 2), seed: 2);
        string path = File("other.onnx");
        OnnxExporter.Export(exported, 2, path);
        Assert.True(OnnxVerification.Compare(other, 2, path, [32, 32]).MaxLogitsDifference > 1e-2);
        double same = OnnxVerification.Compare(exported, 2, path, [32, 32]).MaxLogitsDifference;
        Assert.InRange(same, 0, Tolerance);
    }

    [Fact]
    public void NotAnOnnxFileIsADataFormatError()
    {
        System.IO.File.WriteAllBytes(File("junk.onnx"), [1, 2, 3, 4, 5]);
        Assert.Throws<DataFormatException>(() => new OnnxInference(File("junk.onnx")));
        Assert.Throws<DataFormatException>(() => new OnnxInference(File("missing.onnx")));
    }
}
