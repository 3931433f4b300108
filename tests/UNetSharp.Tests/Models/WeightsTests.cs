using TorchSharp;
using UNetSharp.Models;
using UNetSharp.Models.Weights;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Models;

[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class WeightsTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-weights-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("w.dat")]
    [InlineData("w.safetensors")]
    [InlineData("w.pth")]
    public void RoundTripGivesTheSameOutputs(string file)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        var config = TinyNets.Config(depth: 3, cgm: true);
        using var a = new SegmentationNetwork(config);
        a.train();
        a.forward(randn(2, 1, 32, 32)); // move BN running statistics away from their initial values
        a.eval();
        string path = Path.Combine(dir, file);
        ModelWeights.Save(a, path);
        using var b = new SegmentationNetwork(config);
        b.eval();
        var x = randn(1, 1, 32, 32);
        Assert.NotEqual(0.0, (a.forward(x).Logits - b.forward(x).Logits).abs().max().item<float>());
        ModelWeights.Load(b, path);
        Assert.Equal(0.0, (a.forward(x).Logits - b.forward(x).Logits).abs().max().item<float>());
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));
    }

    [Fact]
    public void SafetensorsUsePyTorchStyleNames()
    {
        using var scope = NewDisposeScope();
        using var net = new SegmentationNetwork(TinyNets.Config(depth: 2, cgm: true));
        string path = Path.Combine(dir, "names.safetensors");
        ModelWeights.Save(net, path);
        var names = TorchSharp.PyBridge.Safetensors.LoadStateDict(path).Keys.ToHashSet();
        Assert.Contains("conv0_0.conv1.weight", names);
        Assert.Contains("conv1_1.bn2.running_var", names);
        Assert.Contains("final2.conv.weight", names);
        Assert.Contains("side1_1.conv.bias", names);
        Assert.Contains("cgm_deep.conv.weight", names);
    }

    [Theory]
    [InlineData("m.dat")]
    [InlineData("m.safetensors")]
    [InlineData("m.pth")]
    public void AShapeMismatchNamesTheTensor(string file)
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(dir, file);
        using (var small = new SegmentationNetwork(TinyNets.Config(depth: 2))) ModelWeights.Save(small, path);
        using var wide = new SegmentationNetwork(TinyNets.Config(depth: 2) with { Widths = new[] { 8, 8, 8 } });
        var e = Assert.Throws<DataFormatException>(() => ModelWeights.Load(wide, path));
        Assert.Equal($"{path}: tensor 'conv0_0.conv1.weight' has shape [4, 1, 3, 3], the configured network needs [8, 1, 3, 3]", e.Message);
        using var deeper = new SegmentationNetwork(TinyNets.Config(depth: 3));
        Assert.Contains("missing tensor 'conv3_0.conv1.weight'", Assert.Throws<DataFormatException>(() => ModelWeights.Load(deeper, path)).Message);
    }

    [Theory]
    [InlineData("t.dat")]
    [InlineData("t.safetensors")]
    [InlineData("t.pth")]
    public void TruncatedOrMissingFilesFailCleanly(string file)
    {
        using var scope = NewDisposeScope();
        string path = Path.Combine(dir, file);
        using var net = new SegmentationNetwork(TinyNets.Config(depth: 2));
        ModelWeights.Save(net, path);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length * 2 / 3)]);
        var e = Assert.Throws<DataFormatException>(() => ModelWeights.Load(net, path));
        Assert.StartsWith(path + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal($"{path}.missing: weight file not found", Assert.Throws<DataFormatException>(() => ModelWeights.Load(net, path + ".missing")).Message);
    }
}
