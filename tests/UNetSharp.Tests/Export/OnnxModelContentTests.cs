using System.Text.Json;
using Onnx;
using UNetSharp.Onnx;
using UNetSharp.Planning;
using UNetSharp.Tests.Models;

namespace UNetSharp.Tests.Export;

/// <summary>What the exported file holds: only the pruned nodes' weights, no batch norm, and the plan's preprocessing as metadata.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class OnnxModelContentTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-onnx-content-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void PrunedGraphHoldsOnlyTheNodesOfItsDepth()
    {
        using var net = OnnxTestNets.Random(TinyNets.Config("unet#", dims: 2, depth: 3, cgm: true));
        var model = ModelProto.Parser.ParseFrom(OnnxExporter.ToBytes(net, 1));

        var modules = model.Graph.Initializer.Select(t => t.Name.Split('.')[0]).Distinct().Order().ToArray();
        Assert.Equal(new[] { "cgm_shallow", "conv0_0", "conv0_1", "conv1_0", "final1" }, modules);
        Assert.DoesNotContain(model.Graph.Node, n => n.OpType is "BatchNormalization" or "Dropout");
        Assert.Equal(8, model.Graph.Node.Count(n => n.OpType == "Conv"));   // 3 nodes x 2, the head, the CGM
        Assert.Equal(new[] { "logits", "presence" }, model.Graph.Output.Select(o => o.Name));
        Assert.Equal(OnnxExporter.Opset, model.OpsetImport.Single().Version);
    }

    [Fact]
    public void MetadataCarriesTheNetworkAndThePlansPreprocessing()
    {
        using var net = OnnxTestNets.Random(TinyNets.Config("unet#", dims: 2, depth: 2, classes: 3));
        var plan = new ExperimentPlan
        {
            Network = net.Config, PatchSize = [32, 32], ClassValues = [0, 128, 255],
            Normalization = [new ChannelNormalization(NormalizationKind.Ct, -100, 300, 40, 80)],
        };
        string path = Path.Combine(root, "meta.onnx");
        OnnxExporter.Export(net, 1, path, new OnnxExportOptions { Plan = plan, InputSize = [64, 32], Probabilities = true });
        Assert.Empty(Directory.GetFiles(root, "*.tmp"));

        using var onnx = new OnnxInference(path);
        var meta = onnx.Metadata;
        Assert.Equal("unet#", meta["unetsharp.architecture"]);
        Assert.Equal("1", meta["unetsharp.depth"]);
        Assert.Equal("2", meta["unetsharp.network_depth"]);
        Assert.Equal("3", meta["unetsharp.classes"]);
        Assert.Equal("64x32", meta["unetsharp.input_size"]);
        Assert.Equal("logits,probabilities", meta["unetsharp.outputs"]);
        Assert.Equal(new[] { 0, 128, 255 }, JsonSerializer.Deserialize<int[]>(meta["unetsharp.class_values"]));
        using var normalization = JsonDocument.Parse(meta["unetsharp.normalization"]);
        var ct = normalization.RootElement[0];
        Assert.Equal("ct", ct.GetProperty("kind").GetString());
        Assert.Equal(40, ct.GetProperty("mean").GetDouble());
        Assert.Equal(80, ct.GetProperty("std").GetDouble());
        Assert.Equal(-100, ct.GetProperty("lower").GetDouble());
    }
}
