using UNetSharp.Onnx;
using UNetSharp.Inference;
using UNetSharp.Models;
using UNetSharp.Tests.Models;
using Xunit.Abstractions;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace UNetSharp.Tests.Deploy;

/// <summary>int8 QDQ export of a trained tiny network: masks agree with the float model, and ONNX Runtime runs integer convolutions.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class Int8QuantizationTests(ITestOutputHelper output) : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-int8-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    [Trait("Category", "Slow")]   // trains a tiny network (120 steps): ~10 s idle, a minute under load
    public void Int8MasksOfATrainedTinyNetworkAgreeWithFloatOnAtLeast99PercentOfVoxelsAndOrtRunsIntegerConvolutions()
    {
        manual_seed(3);
        using var scope = NewDisposeScope();
        var (images, masks) = TinyNets.Blobs(8, 2, 32, seed: 21);
        using var net = new SegmentationNetwork(TinyNets.Config(dims: 2, depth: 2) with { Widths = [8, 16, 16] });
        var optimizer = optim.Adam(net.parameters(), lr: 0.01);
        net.train();
        for (int step = 0; step < 120; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            F.binary_cross_entropy_with_logits(net.forward(images).Logits, masks).backward();
            optimizer.step();
        }
        net.eval();

        string fp32 = Path.Combine(root, "model.onnx"), int8 = Path.Combine(root, "model-int8.onnx");
        OnnxExporter.Export(net, 2, fp32);
        var calibration = Enumerable.Range(0, 8).Select(n => new CalibrationBatch(images[n].contiguous().data<float>().ToArray(), [1, 1, 32, 32])).ToList();
        var report = OnnxExporter.ExportInt8(net, 2, int8, calibration);
        Assert.Equal(net.Topology.NodesFor(2).Sum(n => n.Block == UNetSharp.Models.Topology.NodeBlock.DoubleConv ? 2 : 1) + 1, report.QuantizedConvolutions);

        // unseen images, sliding window over tiles, float vs int8 engines
        var (test, truth) = TinyNets.Blobs(4, 2, 48, seed: 99);
        using var floatModel = new OnnxPatchPredictor(new OnnxInference(fp32));
        using var intModel = new OnnxPatchPredictor(new OnnxInference(int8));
        Assert.Equal("onnxruntime-int8", intModel.Engine);
        var options = new SlidingWindowOptions { TileSize = [32, 32], MirrorAxes = [] };
        long agree = 0, total = 0, hits = 0, predicted = 0, truePositive = 0;
        for (int n = 0; n < 4; n++)
        {
            var image = test[n].contiguous().data<float>().ToArray();
            var a = new SlidingWindowPredictor(floatModel, options).Predict(image, 1, [48, 48]).Labels;
            var b = new SlidingWindowPredictor(intModel, options).Predict(image, 1, [48, 48]).Labels;
            var t = truth[n, 0].contiguous().data<float>().ToArray();
            for (int v = 0; v < a.Length; v++)
            {
                agree += a[v] == b[v] ? 1 : 0;
                total++;
                hits += t[v] > 0.5f ? 1 : 0;
                predicted += a[v];
                truePositive += a[v] == 1 && t[v] > 0.5f ? 1 : 0;
            }
        }
        double dice = 2.0 * truePositive / (hits + predicted), agreement = agree / (double)total;
        output.WriteLine($"float Dice on unseen blobs {dice:F3}; int8 agrees on {agreement:P2} of {total} voxels");
        Assert.True(dice > 0.8, $"the float model must have learnt something: Dice {dice:F3}");
        Assert.True(agreement >= 0.99, $"int8 agrees with float on {agreement:P3} of the voxels");

        var operators = OnnxInference.OptimizedOperators(int8);
        output.WriteLine(string.Join(", ", operators.OrderBy(o => o.Key).Select(o => $"{o.Key} {o.Value}")));
        Assert.True(operators.GetValueOrDefault("QLinearConv") + operators.GetValueOrDefault("ConvInteger") >= report.QuantizedConvolutions - 1,
            "ONNX Runtime should run every hidden convolution as an integer kernel");
        Assert.True(new FileInfo(int8).Length < new FileInfo(fp32).Length);   // tiny weights: the metadata (plan) is most of either file
    }
}
