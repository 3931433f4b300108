using TorchSharp;
using UNetSharp.Models;
using UNetSharp.Tests.Models;
using UNetSharp.Training.Losses;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Training;

/// <summary>Deep-supervision weights, the CGM term, and gradients through the full loss.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public class SegmentationLossTests
{
    static SegmentationHead Head(int level, int column, Tensor? logits = null) =>
        new($"X{level},{column}", level == 0 ? HeadKind.TopRow : HeadKind.Side, level, column, logits ?? empty(0));

    // UNet# depth 4: top row X01..X04 and side heads X13, X22, X31, X40.
    static readonly SegmentationHead[] UNetSharpHeads =
        { Head(0, 4), Head(0, 3), Head(0, 2), Head(0, 1), Head(1, 3), Head(2, 2), Head(3, 1), Head(4, 0) };

    [Fact]
    public void MeanWeightingGivesEveryHeadAnEighth()
    {
        Assert.All(DeepSupervisionWeights.For(UNetSharpHeads, 4, DeepSupervisionWeighting.Mean), w => Assert.Equal(0.125, w, 1e-12));
    }

    [Fact]
    public void HalvingWeightsFollowTheDistanceFromTheMainHeadAndSumToOne()
    {
        // k = 0, 1, 2, 3 (top row), 1, 2, 3, 4 (side heads) → 1, ½, ¼, ⅛, ½, ¼, ⅛, 1/16 over 2.8125.
        double[] expected = new[] { 1, 0.5, 0.25, 0.125, 0.5, 0.25, 0.125, 0.0625 }.Select(w => w / 2.8125).ToArray();
        double[] weights = DeepSupervisionWeights.For(UNetSharpHeads, 4, DeepSupervisionWeighting.Halving);
        for (int h = 0; h < expected.Length; h++) Assert.Equal(expected[h], weights[h], 1e-12);
        Assert.Equal(1.0, weights.Sum(), 1e-12);
        // Pruned to depth 2: only X01 and X02 ran; X02 is the main head → 2/3 and 1/3.
        Assert.Equal(new[] { 2.0 / 3, 1.0 / 3 }, DeepSupervisionWeights.For(new[] { Head(0, 2), Head(0, 1) }, 2, DeepSupervisionWeighting.Halving));
    }

    [Fact]
    public void TheTotalIsTheWeightedHeadLossPlusLambdaTimesEachCgmBce()
    {
        using var scope = NewDisposeScope();
        var good = full(new long[] { 1, 1, 2, 2 }, 0f);
        var bad = tensor(new float[] { 0, (float)Math.Log(3), -(float)Math.Log(3), 0 }).reshape(1, 1, 2, 2);
        var labels = tensor(new long[] { 1, 1, 0, 0 }).reshape(1, 2, 2);
        var heads = new[] { Head(0, 2, good), Head(0, 1, bad) };
        var presence = zeros(1, 1); // BCE(0, 1) = ln 2 per CGM
        var output = new SegmentationOutput(2, good, heads, presence, presence);
        var loss = new SegmentationLoss(new LossOptions { Weighting = DeepSupervisionWeighting.Halving, CgmWeight = 0.5 }, classes: 1);
        var result = loss.Compute(output, labels);

        var headLoss = new BceDiceHeadLoss();
        double Sum(Tensor logits) => headLoss.Parts(logits, labels).Sum(p => p.item<float>());
        double expectedSeg = 2.0 / 3 * Sum(good) + 1.0 / 3 * Sum(bad);
        Assert.Equal(0.5 * 2 * Math.Log(2), result.Parts["cgm"], 1e-6);
        Assert.Equal(expectedSeg + Math.Log(2), result.Total.item<float>(), 1e-5);
        Assert.Equal(result.Total.item<float>(), result.Parts.Values.Sum(), 1e-5);
        Assert.Equal(new[] { "bce", "dice", "cgm" }, loss.PartNames(hasCgm: true));
    }

    [Theory]
    [InlineData(LossKind.BceDice, 2, 1)]
    [InlineData(LossKind.Hybrid, 2, 1)]
    [InlineData(LossKind.Hybrid, 3, 3)]
    [InlineData(LossKind.CeDice, 3, 3)]
    [InlineData(LossKind.CeDice, 2, 3)]
    public void GradientsReachEveryParameterThroughEachLoss(LossKind kind, int dims, int classes)
    {
        manual_seed(4);
        using var scope = NewDisposeScope();
        using var net = new SegmentationNetwork(TinyNets.Config(dims: dims, depth: 2, classes: classes, cgm: true));
        net.train();
        var (images, masks) = TinyNets.Blobs(2, dims, 16, seed: 9);
        // Multi-class labels: the blob is class 1, its upper half class 2 where there are 3 classes.
        var labels = masks.squeeze(1).to_type(ScalarType.Int64);
        if (classes == 3) labels = labels + labels * (arange(16).reshape(dims == 2 ? new long[] { 16, 1 } : new long[] { 16, 1, 1 }) < 8).to_type(ScalarType.Int64);
        var loss = new SegmentationLoss(new LossOptions { Kind = kind, Weighting = DeepSupervisionWeighting.Halving }, classes);
        var result = loss.Compute(net.forward(images), labels);
        Assert.True(double.IsFinite(result.Total.item<float>()));
        result.Total.backward();
        var dead = net.named_parameters().Where(p => p.parameter.grad is null || p.parameter.grad.abs().sum().item<float>() == 0).Select(p => p.name).ToList();
        Assert.Empty(dead);
    }
}
