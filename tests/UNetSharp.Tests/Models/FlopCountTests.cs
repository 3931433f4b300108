using UNetSharp.Models;

namespace UNetSharp.Tests.Models;

public class FlopCountTests
{
    [Fact]
    public void DepthOneFlopsMatchAHandCount()
    {
        using var net = new SegmentationNetwork(new NetworkConfig { InChannels = 1 });
        // 64x64: X00 (1→32, 32→32) at 4096 px, X10 (32→64, 64→64) at 1024 px, X01 (96→32, 32→32) at 4096 px, head 32→1 at 4096 px.
        double expected = 2.0 * 9 * (4096 * (1 * 32 + 32 * 32) + 1024 * (32 * 64 + 64 * 64) + 4096 * (96 * 32 + 32 * 32)) + 2.0 * 4096 * 32;
        Assert.Equal(expected, NetworkCost.ForDepth(net, 1, new long[] { 64, 64 }).Flops);
    }

    [Fact]
    public void FlopsGrowWithDepthAndScaleWithVoxels()
    {
        using var net = new SegmentationNetwork(new NetworkConfig { InChannels = 1 });
        var small = NetworkCost.PerDepth(net, new long[] { 64, 64 }).Select(c => c.Flops).ToArray();
        var large = NetworkCost.PerDepth(net, new long[] { 128, 128 }).Select(c => c.Flops).ToArray();
        for (int l = 1; l < 4; l++) Assert.True(small[l] > small[l - 1]);
        for (int l = 0; l < 4; l++) Assert.Equal(4 * small[l], large[l], 6);
    }
}
