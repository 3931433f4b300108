using TorchSharp;
using UNetSharp.Models;
using UNetSharp.Models.Topology;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Models;

public class PruningTests
{
    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 6)]
    [InlineData(3, 10)]
    [InlineData(4, 15)]
    public void DepthLRunsOnlyTheNodesWithIPlusJAtMostL(int depth, int expectedNodes)
    {
        using var scope = NewDisposeScope();
        using var net = new SegmentationNetwork(TinyNets.Config(depth: 4));
        net.eval();
        var output = net.Forward(randn(1, 1, 32, 32), depth);
        Assert.Equal(expectedNodes, net.LastExecutedNodeCount);
        Assert.Equal(expectedNodes, (depth + 1) * (depth + 2) / 2);
        Assert.All(net.Topology.NodesFor(depth), n => Assert.True(n.Id.Level + n.Id.Column <= depth));
        Assert.Equal(new long[] { 1, 1, 32, 32 }, output.Logits.shape);
        Assert.Single(output.Heads);
    }

    [Theory]
    [InlineData("unet#", 2)]
    [InlineData("unet++", 2)]
    [InlineData("unet#", 3)]
    public void PrunedOutputEqualsTheSameHeadInsideTheFullNetwork(string arch, int dims)
    {
        using var scope = NewDisposeScope();
        using var net = new SegmentationNetwork(TinyNets.Config(arch, dims, depth: 3));
        net.eval();
        var x = dims == 2 ? randn(2, 1, 32, 32) : randn(new long[] { 1, 1, 16, 16, 16 });
        using var noGrad = no_grad();
        var full = net.Forward(x, 3, allHeads: true);
        Assert.Equal(3, full.Heads.Count(h => h.Kind == HeadKind.TopRow));
        foreach (int l in new[] { 1, 2, 3 })
        {
            var pruned = net.Forward(x, l).Logits;
            var inside = full.Heads.Single(h => h.Kind == HeadKind.TopRow && h.Column == l).Logits;
            Assert.Equal(0.0, (pruned - inside).abs().max().item<float>(), 6);
        }
        Assert.Equal(0.0, (net.forward(x).Logits - full.Logits).abs().max().item<float>(), 6);
    }

    [Fact]
    public void UNetSharpHasEightNamedHeadsWithDeepSupervision()
    {
        using var scope = NewDisposeScope();
        using var net = new SegmentationNetwork(TinyNets.Config(depth: 4));
        net.train();
        var output = net.forward(randn(1, 1, 32, 32));
        Assert.Equal(new[] { "final1", "final2", "final3", "final4", "side1_3", "side2_2", "side3_1", "side4_0" },
            output.Heads.Select(h => h.Name).OrderBy(n => n, StringComparer.Ordinal));
        Assert.All(output.Heads, h => Assert.Equal(new long[] { 1, 1, 32, 32 }, h.Logits.shape));
        Assert.Equal(4, output.Heads.Count(h => h.Kind == HeadKind.Side));
    }

    [Fact]
    public void BaselinesWithoutTopRowHeadsCannotBePruned()
    {
        using var net = new SegmentationNetwork(TinyNets.Config("unet", depth: 3));
        Assert.Equal(new[] { 3 }, net.PrunableDepths);
        var e = Assert.Throws<ConfigurationException>(() => net.Forward(zeros(1, 1, 32, 32), 1));
        Assert.Contains("available depths are 3", e.Message);
    }
}
