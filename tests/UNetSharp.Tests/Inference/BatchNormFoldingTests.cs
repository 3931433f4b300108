using TorchSharp;
using TorchSharp.Modules;
using UNetSharp.Inference;
using UNetSharp.Models;
using UNetSharp.Tests.Models;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Inference;

[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public class BatchNormFoldingTests
{
    /// <summary>Statistics and affine parameters far from the identity, as after training.</summary>
    static int RandomiseBatchNorms(SegmentationNetwork net)
    {
        using var noGrad = no_grad();
        int count = 0;
        foreach (var (_, module) in net.named_modules())
        {
            if (module is not BatchNorm bn) continue;
            long n = bn.running_mean!.shape[0];
            bn.running_mean.copy_(randn(n) * 0.5);
            bn.running_var!.copy_(rand(n) * 2 + 0.1);
            bn.weight!.copy_(randn(n) * 0.5 + 1);
            bn.bias!.copy_(randn(n) * 0.3);
            count++;
        }
        return count;
    }

    [Theory]
    [InlineData("unet#", 2)]
    [InlineData("unet3+", 2)]
    [InlineData("unet#", 3)]
    public void FoldedNetworkGivesTheSameOutputAtEveryDepth(string arch, int dims)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var net = new SegmentationNetwork(TinyNets.Config(arch, dims, depth: 3, classes: 2, cgm: true));
        int norms = RandomiseBatchNorms(net);
        net.eval();
        var x = dims == 2 ? randn(2, 1, 32, 32) : randn(new long[] { 1, 1, 16, 16, 16 });
        using var noGrad = no_grad();
        var before = net.PrunableDepths.Select(l => net.Forward(x, l).Logits.clone()).ToList();

        using var folded = BatchNormFolding.FoldedCopy(net);

        foreach (var (l, expected) in net.PrunableDepths.Zip(before))
        {
            Assert.True((folded.Forward(x, l).Logits - expected).abs().max().item<float>() < 1e-4f);
            Assert.Equal(0f, (net.Forward(x, l).Logits - expected).abs().max().item<float>());   // the original is untouched
        }
        var foldedNorms = folded.named_modules().Select(m => m.module).OfType<BatchNorm>().ToList();
        Assert.Equal(norms, foldedNorms.Count);
        Assert.All(foldedNorms, bn => Assert.Equal(0f, bn.running_mean!.abs().max().item<float>()));
        Assert.True(norms > 10);
    }

    [Fact]
    public void FoldInPlaceCountsThePairsAndLeavesInstanceNormAlone()
    {
        using var scope = NewDisposeScope();
        using var batch = new SegmentationNetwork(TinyNets.Config(depth: 2));
        int norms = RandomiseBatchNorms(batch);
        Assert.Equal(norms, BatchNormFolding.FoldInPlace(batch));
        Assert.False(batch.training);

        using var instance = new SegmentationNetwork(TinyNets.Config(depth: 2) with { Norm = NormKind.Instance });
        instance.eval();
        var x = randn(1, 1, 16, 16);
        using var noGrad = no_grad();
        var before = instance.forward(x).Logits.clone();
        Assert.Equal(0, BatchNormFolding.FoldInPlace(instance));
        Assert.Equal(0f, (instance.forward(x).Logits - before).abs().max().item<float>());
    }
}
