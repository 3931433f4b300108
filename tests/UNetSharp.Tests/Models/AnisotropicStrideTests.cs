using TorchSharp;
using UNetSharp.IO;
using UNetSharp.Models;
using UNetSharp.Models.Layers;
using UNetSharp.Models.Topology;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Models;

/// <summary>Per-axis strides: a level may keep an axis (stride 1) while pooling the others, as for thick-slice CT.</summary>
public class AnisotropicStrideTests
{
    /// <summary>3D, depth 2: level 1 keeps the slice axis (1x2x2), level 2 pools all three (2x2x2); size multiples 2x4x4.</summary>
    internal static NetworkConfig Anisotropic3D(string arch = "unet#", int depth = 2, bool cgm = false) => TinyNets.Config(arch, dims: 3, depth: depth, cgm: cgm) with
    {
        Strides = depth == 2 ? new[] { new[] { 1, 2, 2 }, new[] { 2, 2, 2 } } : new[] { new[] { 1, 2, 2 }, new[] { 2, 2, 2 }, new[] { 1, 2, 2 } },
    };

    [Fact]
    public void LevelScalesAreProductsOfTheStrides()
    {
        var config = Anisotropic3D(depth: 3);
        Assert.Equal(new long[] { 1, 1, 1 }, config.LevelScale(0));
        Assert.Equal(new long[] { 1, 2, 2 }, config.LevelScale(1));
        Assert.Equal(new long[] { 2, 4, 4 }, config.LevelScale(2));
        Assert.Equal(new long[] { 2, 8, 8 }, config.SizeMultiples);
        Assert.Equal(8, config.SizeMultiple);
        var ops = SpatialOps.For(config);
        Assert.Equal(new long[] { 3, 5, 6 }, ops.LevelSize(new long[] { 6, 20, 24 }, 2));
        Assert.Equal(new long[] { 2, 2, 2 }, ops.Factor(1, 2));
        Assert.Equal(new long[] { 2, 8, 8 }, ops.Factor(0, 3));
        using var pooled = ops.MaxPool(zeros(new long[] { 1, 2, 6, 16, 16 }), 0, 2);
        Assert.Equal(new long[] { 1, 2, 3, 4, 4 }, pooled.shape);

        var isotropic = TinyNets.Config(dims: 3, depth: 3);
        Assert.Equal(new long[] { 8, 8, 8 }, isotropic.SizeMultiples);
        Assert.Equal(8, isotropic.SizeMultiple);
    }

    [Theory]
    [InlineData("unet#")]
    [InlineData("unet++")]
    [InlineData("unet3+")]
    [InlineData("unet")]
    public void AnInputThatIsOnlyAMultipleOfItsPerAxisProductsRunsAndEveryHeadIsFullSize(string arch)
    {
        using var scope = NewDisposeScope();
        // 6 slices: a multiple of 2 (one pooling on that axis) but not of 4, so isotropic 2x2x2 strides would refuse it.
        using var net = new SegmentationNetwork(Anisotropic3D(arch));
        net.train();
        var output = net.forward(randn(new long[] { 1, 1, 6, 8, 12 }));
        Assert.NotEmpty(output.Heads);
        Assert.All(output.Heads, h => Assert.Equal(new long[] { 1, 1, 6, 8, 12 }, h.Logits.shape));

        using var isotropic = new SegmentationNetwork(TinyNets.Config(arch, dims: 3, depth: 2));
        var e = Assert.Throws<ConfigurationException>(() => isotropic.forward(randn(new long[] { 1, 1, 6, 8, 12 })));
        Assert.Contains("2^2 = 4", e.Message);
        var wrong = Assert.Throws<ConfigurationException>(() => net.forward(randn(new long[] { 1, 1, 5, 8, 12 })));
        Assert.Contains("2x4x4", wrong.Message);
        Assert.Contains("pad to 6x8x12", wrong.Message);
    }

    [Theory]
    [InlineData("unet#")]
    [InlineData("unet3+")]
    public void ParameterCountsDoNotDependOnStrides(string arch)
    {
        using var anisotropic = new SegmentationNetwork(Anisotropic3D(arch, cgm: true));
        using var isotropic = new SegmentationNetwork(TinyNets.Config(arch, dims: 3, depth: 2, cgm: true));
        Assert.Equal(NetworkCost.TotalParameters(isotropic), NetworkCost.TotalParameters(anisotropic));
        foreach (int l in anisotropic.PrunableDepths)
            Assert.Equal(NetworkCost.ForDepth(isotropic, l, new long[] { 8, 8, 8 }).Parameters, NetworkCost.ForDepth(anisotropic, l, new long[] { 8, 8, 8 }).Parameters);
    }

    [Fact]
    public void FlopsCountEachLevelAtItsAnisotropicSize()
    {
        // Widths 4, 8; input 4x8x8 (256 voxels). Strides 1x2x2 put X10 at 4x4x4 = 64 voxels (isotropic: 2x4x4 = 32).
        using var net = new SegmentationNetwork(TinyNets.Config(dims: 3, depth: 1) with { Strides = new[] { new[] { 1, 2, 2 } } });
        double Expected(int level1Voxels) =>
            2.0 * 27 * (256 * (1 * 4 + 4 * 4) + level1Voxels * (4 * 8 + 8 * 8) + 256 * ((4 + 8) * 4 + 4 * 4)) + 2.0 * 256 * 4 * 1;
        Assert.Equal(Expected(64), NetworkCost.ForDepth(net, 1, new long[] { 4, 8, 8 }).Flops);
        using var isotropic = new SegmentationNetwork(TinyNets.Config(dims: 3, depth: 1));
        Assert.Equal(Expected(32), NetworkCost.ForDepth(isotropic, 1, new long[] { 4, 8, 8 }).Flops);
    }

    [Fact]
    public void FlopsOfADeeperAnisotropicUNetSharpMatchAHandCount()
    {
        // Depth 2, widths 4, 8, 8; strides 1x2x2 then 2x2x2 on 4x8x8: level 0 = 256, level 1 = 4x4x4 = 64, level 2 = 2x2x2 = 8 voxels.
        // Nodes at depth 2: X00 (1→4, 4→4), X10 (4→8, 8→8), X01 (4+8→4, 4→4), X20 (8→8, 8→8), X11 (8+8→8, 8→8), X02 (X00, X01, X11, X20: 4+4+8+8→4, 4→4); 1x1 head 4→1.
        using var net = new SegmentationNetwork(Anisotropic3D());
        double expected = 2.0 * 27 * (
            256 * (1 * 4 + 4 * 4) + 64 * (4 * 8 + 8 * 8) + 256 * (12 * 4 + 4 * 4)
            + 8 * (8 * 8 + 8 * 8) + 64 * (16 * 8 + 8 * 8) + 256 * (24 * 4 + 4 * 4)) + 2.0 * 256 * 4;
        Assert.Equal(expected, NetworkCost.ForDepth(net, 2, new long[] { 4, 8, 8 }).Flops);
    }

    [Theory]
    [InlineData("unet#")]
    [InlineData("unet3+")]
    public void PrunedOutputEqualsTheSameHeadInsideTheFullNetwork(string arch)
    {
        using var scope = NewDisposeScope();
        manual_seed(3);
        using var net = new SegmentationNetwork(Anisotropic3D(arch, depth: 3) with { Widths = new[] { 4, 8, 8, 8 } });
        net.eval();
        var x = randn(new long[] { 1, 1, 4, 16, 16 });
        using var noGrad = no_grad();
        var full = net.Forward(x, 3, allHeads: true);
        foreach (int l in net.PrunableDepths)
        {
            var pruned = net.Forward(x, l).Logits;
            var inside = full.Heads.Single(h => h.Kind == HeadKind.TopRow && h.Column == l).Logits;
            Assert.Equal(0.0, (pruned - inside).abs().max().item<float>(), 6);
            Assert.Equal(new long[] { 1, 1, 4, 16, 16 }, pruned.shape);
        }
    }

    /// <summary>Eval mode with autograd on (as MemoryEfficientTests: conv biases before a train-mode batch norm have a gradient of exactly 0, rounding noise only).</summary>
    [Theory]
    [InlineData("unet#")]
    [InlineData("unet3+")]
    public void MemoryEfficientPathEqualsThePlainPathWithAnisotropicStrides(string arch)
    {
        using var scope = NewDisposeScope();
        manual_seed(5);
        var config = Anisotropic3D(arch, depth: 3) with { Widths = new[] { 4, 8, 8, 8 }, MemoryEfficientMinVoxels = 0 };
        using var plain = new SegmentationNetwork(config with { MemoryEfficient = false });
        using var efficient = new SegmentationNetwork(config);
        efficient.load_state_dict(plain.state_dict());
        var x = randn(new long[] { 2, 1, 4, 16, 16 });
        var weights = randn(new long[] { 2, 1, 4, 16, 16 });
        var outputs = new List<Tensor>();
        foreach (var net in new[] { plain, efficient })
        {
            net.eval();
            var output = net.Forward(x, 3, allHeads: true);
            var loss = stack(output.Heads.Select(h => (h.Logits * weights).sum()).ToArray()).sum();
            loss.backward();
            outputs.Add(loss.detach());
        }
        Assert.Equal(outputs[0].item<float>(), outputs[1].item<float>(), 2);
        var gradsPlain = plain.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!);
        double floor = 1e-4 * gradsPlain.Values.Max(g => g.abs().max().item<float>());
        foreach (var (name, p) in efficient.named_parameters())
        {
            var expected = gradsPlain[name];
            double scale = Math.Max(floor, expected.abs().max().item<float>());
            double diff = (p.grad! - expected).abs().max().item<float>();
            // float32 summation order (split convolutions, conv_transpose in backward) over 2x4x16x16 voxels: ~5e-5 relative measured; a wrong resampling differs by O(1).
            Assert.True(diff <= 2e-4 * scale, $"{name}: gradients differ by {diff:E3} (scale {scale:E3})");
        }
    }

    [Fact]
    public void StridesAreValidatedWithMessagesThatSayWhat()
    {
        Assert.Contains("one per down-sampling", Assert.Throws<ConfigurationException>(() =>
            (TinyNets.Config(dims: 3, depth: 2) with { Strides = new[] { new[] { 1, 2, 2 } } }).Validate()).Message);
        Assert.Contains("each 1 or 2", Assert.Throws<ConfigurationException>(() =>
            (TinyNets.Config(dims: 3, depth: 1) with { Strides = new[] { new[] { 3, 2, 2 } } }).Validate()).Message);
        Assert.Contains("each 1 or 2", Assert.Throws<ConfigurationException>(() =>
            (TinyNets.Config(dims: 2, depth: 1) with { Strides = new[] { new[] { 1, 2, 2 } } }).Validate()).Message);
    }

    [Fact]
    public void StridesRoundTripThroughJsonAndAMissingKeyMeansTwoOnEveryAxis()
    {
        var config = Anisotropic3D();
        string json = ProjectJson.Serialize(config);
        Assert.Contains("\"strides\"", json);
        var back = ProjectJson.Deserialize<NetworkConfig>(json, "config.json");
        Assert.Equal(new[] { new[] { 1, 2, 2 }, new[] { 2, 2, 2 } }, back.Strides!.Select(s => s.ToArray()).ToArray());
        Assert.Equal(new long[] { 2, 4, 4 }, back.SizeMultiples);

        // A configuration written before strides existed has no key: it must read as the old isotropic network.
        string old = ProjectJson.Serialize(TinyNets.Config(dims: 3, depth: 2)).Replace("\"strides\": null,", "");
        Assert.DoesNotContain("strides", old);
        var legacy = ProjectJson.Deserialize<NetworkConfig>(old, "plan.json");
        Assert.Null(legacy.Strides);
        Assert.Equal(new long[] { 4, 4, 4 }, legacy.SizeMultiples);
    }
}
