using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Models;

public class ConfigurationErrorTests
{
    [Fact]
    public void UnknownArchitectureNamesTheChoices()
    {
        var e = Assert.Throws<ConfigurationException>(() => new SegmentationNetwork(new NetworkConfig { Architecture = "resnet" }));
        Assert.Equal("unknown architecture 'resnet'; choose one of unet, unet++, unet3+, unet#", e.Message);
    }

    [Theory]
    [InlineData(0, "depth must be between 1 and 8, got 0")]
    [InlineData(9, "depth must be between 1 and 8, got 9")]
    public void DepthOutOfRange(int depth, string message) =>
        Assert.Equal(message, Assert.Throws<ConfigurationException>(() => new NetworkConfig { Depth = depth }.Validate()).Message);

    [Fact]
    public void ZeroOrMiscountedWidths()
    {
        Assert.Contains("widths must be positive", Assert.Throws<ConfigurationException>(() => new NetworkConfig { Widths = new[] { 32, 0, 128, 256, 512 } }.Validate()).Message);
        Assert.Contains("depth + 1 = 5 entries", Assert.Throws<ConfigurationException>(() => new NetworkConfig { Widths = new[] { 32, 64 } }.Validate()).Message);
        Assert.Contains("dimensions must be 2 or 3", Assert.Throws<ConfigurationException>(() => new NetworkConfig { Dimensions = 4 }.Validate()).Message);
    }

    [Fact]
    public void InputTooSmallOrOddForTheDepthSaysHowToFixIt()
    {
        using var scope = NewDisposeScope();
        using var net = new SegmentationNetwork(TinyNets.Config(depth: 3));
        var odd = Assert.Throws<ConfigurationException>(() => net.forward(zeros(1, 1, 33, 32)));
        Assert.Equal("input size 33x32 does not fit depth 3: every axis must be a positive multiple of 2^3 = 8 (pad to 40x32, use a smaller depth, or predict with the sliding window, which pads automatically)", odd.Message);
        Assert.Contains("input size 4x4", Assert.Throws<ConfigurationException>(() => net.forward(zeros(1, 1, 4, 4))).Message);
        Assert.Contains("expects 1 input channel(s), got 3", Assert.Throws<ConfigurationException>(() => net.forward(zeros(1, 3, 32, 32))).Message);
        Assert.Contains("a 2D network needs input", Assert.Throws<ConfigurationException>(() => net.forward(zeros(new long[] { 1, 1, 32, 32, 32 }))).Message);
    }
}
