using UNetSharp.Models;

namespace UNetSharp.Tests.Models;

/// <summary>The training-memory estimate: a hand count on a tiny UNet, parameters equal to the built modules', linear in batch, growing with the patch.</summary>
public sealed class TrainingMemoryTests
{
    /// <summary>UNet depth 1, widths 4,8, one input channel, one class, no CGM: X00 (input → 4), X10 (pooled X00 → 8), X01 (X00 ‖ up(X10) → 4); heads on X01 (1x1) and X10 (3x3, deep supervision).</summary>
    static NetworkConfig TinyUNet(bool cgm = false) => new() { Architecture = "unet", Depth = 1, Widths = [4, 8], Cgm = cgm };

    [Fact]
    public void TheEstimateOfATinyUNetIsTheHandCount()
    {
        var config = TinyUNet();
        var topology = config.Topology();
        // 8x8 patch: V0 = 64, V1 = 16 per sample; bytes:
        //   input 1x64 float + its channels-last copy 1x64 float + int64 labels 64    = 256 + 256 + 512     = 1,024
        //   X00: 2 convs x (conv output + ReLU output) x 4 ch x 64 x 4 B                = 4,096
        //   X10: 2 x 2 x 8 ch x 16 x 4 B = 2,048; plain path also keeps the pooled copy (4 x 16 x 4 = 256) and
        //        max-pool's int64 indices (4 x 16 x 8 = 512)                            = 2,816 (plain) / 2,048 (recompute)
        //   X01: 2 x 2 x 4 x 64 x 4 = 4,096; plain path keeps the 12-channel concatenation 12 x 64 x 4 = 3,072
        //                                                                              = 7,168 (plain) / 4,096 (recompute)
        //   2 heads x (logits, target, sigmoid) x 64 x 4 B                              = 1,536
        Assert.Equal(1024 + 4096 + 2816 + 7168 + 1536, TrainingMemory.ActivationBytesPerSample(config, topology, [8, 8], memoryEfficient: false));
        Assert.Equal(1024 + 4096 + 2048 + 4096 + 1536, TrainingMemory.ActivationBytesPerSample(config, topology, [8, 8], memoryEfficient: true));
        // CGMs on X10 (deep) and X10 again (shallow = level 1 at depth 1): dropout output 8 x 16 x 4 + bool mask 8 x 16 + 1x1 conv 16 x 4 = 704 each
        Assert.Equal(16640 + 2 * 704, TrainingMemory.ActivationBytesPerSample(TinyUNet(cgm: true), topology, [8, 8], memoryEfficient: false));

        // parameters: X00 9·1·4+4+8 + 9·4·4+4+8 = 204; X10 9·4·8+8+16 + 9·8·8+8+16 = 912; X01 9·12·4+4+8 + 9·4·4+4+8 = 600;
        // heads 1·4·1+1 = 5 and 9·8·1+1 = 73: 1,794; state = 4 copies (weights, gradients, Adam's two moments) x 4 B
        var estimate = TrainingMemory.Estimate(config, [8, 8], batch: 3);
        Assert.Equal(1794, estimate.Parameters);
        Assert.Equal(1794 * 16 + TrainingMemory.StepOverheadBytes, estimate.FixedBytes);
        Assert.False(estimate.MemoryEfficientPath);   // 3 x 64 voxels: below the network's 64K threshold
        Assert.Equal((long)Math.Ceiling(16640 * TrainingMemory.PlainPathFactor), estimate.BytesPerSample);
        Assert.Equal(estimate.FixedBytes + 3 * estimate.BytesPerSample, estimate.TotalBytes);
    }

    [Theory]
    [InlineData("unet", 2, false)]
    [InlineData("unet++", 2, true)]
    [InlineData("unet3+", 2, true)]
    [InlineData("unet#", 2, true)]
    [InlineData("unet#", 3, true)]
    public void ParametersCountedFromTheTopologyEqualTheBuiltModules(string arch, int dims, bool cgm)
    {
        var config = TinyNets.Config(arch, dims, depth: 3, classes: 3, cgm: cgm) with { Norm = dims == 3 ? NormKind.Instance : NormKind.Batch };
        using var net = new SegmentationNetwork(config);
        Assert.Equal(NetworkCost.TotalParameters(net), TrainingMemory.Parameters(config, config.Topology()));
    }

    [Fact]
    public void TheEstimateIsLinearInBatchOnOnePathAndGrowsWithThePatch()
    {
        var config = TinyNets.Config("unet#", 2, depth: 2, cgm: true);
        var one = TrainingMemory.Estimate(config, [32, 32], 1);
        for (int b = 2; b <= 16; b++)   // 16 x 1024 voxels: all on the plain path
        {
            var e = TrainingMemory.Estimate(config, [32, 32], b);
            Assert.Equal(one.FixedBytes + b * one.BytesPerSample, e.TotalBytes);
        }
        var big = TrainingMemory.Estimate(config, [256, 256], 1);   // 64K voxels: the recompute path
        Assert.True(big.MemoryEfficientPath);
        Assert.Equal(big.FixedBytes + 5 * big.BytesPerSample, TrainingMemory.Estimate(config, [256, 256], 5).TotalBytes);
        Assert.True(TrainingMemory.Estimate(config, [32, 64], 2).TotalBytes > TrainingMemory.Estimate(config, [32, 32], 2).TotalBytes);
        // the raw activations scale exactly with the voxels on one path (every level's size is the patch over a fixed scale)
        var topology = config.Topology();
        Assert.Equal(4 * TrainingMemory.ActivationBytesPerSample(config, topology, [32, 32], false), TrainingMemory.ActivationBytesPerSample(config, topology, [64, 64], false));
        // the recompute path keeps less than the plain one
        Assert.True(TrainingMemory.ActivationBytesPerSample(config, topology, [64, 64], true) < TrainingMemory.ActivationBytesPerSample(config, topology, [64, 64], false));
    }

    [Fact]
    public void SizesAreFormattedInBinaryUnits()
    {
        Assert.Equal("12 B", TrainingMemory.Format(12));
        Assert.Equal("4.00 GiB", TrainingMemory.Format(4L << 30));
        Assert.Equal("1.50 KiB", TrainingMemory.Format(1536));
        Assert.Equal("510 MiB", TrainingMemory.Format(510L << 20));
    }
}
