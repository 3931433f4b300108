using System.Diagnostics;
using TorchSharp;
using UNetSharp.Models;
using UNetSharp.Training.Losses;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Models;

/// <summary>The network learns, every parameter gets a gradient, and native memory stays flat.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public class TrainingBehaviourTests
{
    static Tensor DeepSupervisedLoss(SegmentationOutput output, Tensor masks)
    {
        var loss = stack(output.Heads.Select(h => BceDiceLoss.Compute(h.Logits, masks)).ToArray()).mean();
        var present = masks.flatten(1).amax(1).unsqueeze(1);
        foreach (var presence in new[] { output.DeepPresenceLogits, output.ShallowPresenceLogits })
            if (presence is not null) loss = loss + nn.functional.binary_cross_entropy_with_logits(presence, present);
        return loss;
    }

    static double HardDice(Tensor logits, Tensor masks)
    {
        var p = (logits > 0).to_type(ScalarType.Float32);
        return (2 * (p * masks).sum() / (p.sum() + masks.sum())).item<float>();
    }

    [Theory]
    [InlineData(2, 32, 150)]
    [InlineData(3, 16, 150)]
    public void ATinyUNetSharpOverfitsAHandfulOfImages(int dims, int size, int steps)
    {
        manual_seed(1);
        using var scope = NewDisposeScope();
        var (images, masks) = TinyNets.Blobs(4, dims, size, seed: 7);
        using var net = new SegmentationNetwork(TinyNets.Config(dims: dims, depth: 3, cgm: true) with { Widths = new[] { 8, 8, 8, 8 } });
        var optimizer = optim.Adam(net.parameters(), lr: 0.01);
        net.train();
        for (int step = 0; step < steps; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            DeepSupervisedLoss(net.forward(images), masks).backward();
            optimizer.step();
        }
        net.eval();
        using var noGrad = no_grad();
        double dice = HardDice(net.forward(images).Logits, masks);
        Assert.True(dice > 0.95, $"{dims}D Dice after {steps} steps: {dice:F4}");
    }

    [Theory]
    [InlineData("unet#", 2)]
    [InlineData("unet#", 3)]
    [InlineData("unet++", 2)]
    [InlineData("unet3+", 2)]
    [InlineData("unet", 3)]
    public void GradientsReachEveryParameter(string arch, int dims)
    {
        manual_seed(2);
        using var scope = NewDisposeScope();
        using var net = new SegmentationNetwork(TinyNets.Config(arch, dims, depth: 3, cgm: true));
        net.train();
        var (images, masks) = TinyNets.Blobs(2, dims, 16, seed: 3);
        DeepSupervisedLoss(net.forward(images), masks).backward();
        var dead = net.named_parameters().Where(p => p.parameter.grad is null || p.parameter.grad.abs().sum().item<float>() == 0)
            .Select(p => p.name).ToList();
        Assert.Empty(dead);
    }

    [Trait("Category", "Slow")]
    [Fact]
    public void ResidentMemoryStaysFlatOver1000TrainingIterations()
    {
        manual_seed(3);
        var (images, masks) = TinyNets.Blobs(2, 2, 32, seed: 5);
        using var net = new SegmentationNetwork(TinyNets.Config(depth: 3, cgm: true));
        var optimizer = optim.Adam(net.parameters(), lr: 1e-3);
        net.train();
        long RssAfter(int iterations)
        {
            for (int i = 0; i < iterations; i++)
            {
                using var step = NewDisposeScope();
                optimizer.zero_grad();
                DeepSupervisedLoss(net.forward(images), masks).backward();
                optimizer.step();
            }
            GC.Collect();
            GC.WaitForPendingFinalizers();
            using var process = Process.GetCurrentProcess();
            process.Refresh();
            return process.WorkingSet64;
        }
        long warm = RssAfter(100);
        long after = RssAfter(900);
        // A leak of the smallest tensor per step (a 1-element loss) would be invisible, but leaking the activations
        // (~1 MB per step here) would add ~900 MB; 64 MB of slack covers allocator noise.
        Assert.True(after - warm < 64L << 20, $"RSS grew from {warm >> 20} MB to {after >> 20} MB over 900 iterations");
    }
}
