using UNetSharp.Models;

namespace UNetSharp.Tests.Models;

/// <summary>Exact parameter counts from docs/UNET-SHARP.md §2 (BN affine, conv bias, default widths 32..512).</summary>
public class ParameterCountTests
{
    static long[] PerDepth(string arch, int inChannels, bool deepSupervision = true)
    {
        using var net = new SegmentationNetwork(new NetworkConfig { Architecture = arch, InChannels = inChannels, DeepSupervision = deepSupervision });
        return NetworkCost.PerDepth(net, new long[] { 64, 64 }).Select(c => c.Parameters).ToArray();
    }

    [Fact]
    public void UNetSharpMatchesThePaperAtEveryDepth()
    {
        Assert.Equal(new long[] { 103_041, 555_969, 2_531_073, 10_748_481 }, PerDepth("unet#", 3));
    }

    [Fact]
    public void UNetSharpWithAllEightHeadsAndWithOneInputChannel()
    {
        using var net = new SegmentationNetwork(new NetworkConfig { InChannels = 3, DeepSupervision = true });
        Assert.Equal(8, net.HeadModules.Count);
        Assert.Equal(10_757_224, NetworkCost.TotalParameters(net));
        Assert.Equal(10_747_905, PerDepth("unet#", 1)[^1]);
        using var single = new SegmentationNetwork(new NetworkConfig { InChannels = 3, DeepSupervision = false });
        Assert.Equal(10_748_481, NetworkCost.TotalParameters(single));
    }

    [Fact]
    public void UNetPlusPlusAndUNetBaselinesMatchTheSpec()
    {
        Assert.Equal(new long[] { 103_041, 519_105, 2_236_161, 9_163_329 }, PerDepth("unet++", 3));
        using var unet = new SegmentationNetwork(new NetworkConfig { Architecture = "unet", InChannels = 3, DeepSupervision = false });
        Assert.Equal(7_852_545, NetworkCost.TotalParameters(unet));
    }

    [Fact]
    public void UNet3PlusHasItsFusionWidthAndCounts()
    {
        // Hand count for widths 32..512, in = 3, C = 1, no deep supervision: encoder as UNet (4,713,024 + ...) is checked
        // through the decoder only: each decoder node has 5 path convs to 32 ch and one 160 → 160 fusion conv.
        using var net = new SegmentationNetwork(new NetworkConfig { Architecture = "unet3+", InChannels = 3, DeepSupervision = false });
        var x30 = net.NodeModules[new(3, 1)];
        Assert.Equal(160, x30.InputChannels);
        // paths into X3,1: X0,0 32, X1,0 64, X2,0 128, X3,0 256, X4,0 512 → 32 each: 9·32·(32+64+128+256+512) + 5·(32 + 64)
        long paths = 9L * 32 * (32 + 64 + 128 + 256 + 512) + 5 * (32 + 64);
        long fusion = 9L * 160 * 160 + 160 + 2 * 160;
        Assert.Equal(paths + fusion, x30.parameters().Sum(p => p.numel()));
        Assert.Equal(new[] { 4 }, net.PrunableDepths);
    }

    [Fact]
    public void CgmParametersAreCountedSeparately()
    {
        using var net = new SegmentationNetwork(new NetworkConfig { InChannels = 3, Cgm = true });
        var costs = NetworkCost.PerDepth(net, new long[] { 64, 64 });
        Assert.Equal(103_041, costs[0].Parameters);
        Assert.Equal(64 + 1, costs[0].CgmParameters);   // CGM-shallow: Conv1x1(64 → 1)
        Assert.Equal(512 + 1, costs[3].CgmParameters);  // CGM-deep: Conv1x1(512 → 1)
        Assert.Equal(10_757_224 + 65 + 513, NetworkCost.TotalParameters(net));
    }
}
