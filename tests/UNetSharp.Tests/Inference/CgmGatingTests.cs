using TorchSharp;
using UNetSharp.Inference;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Inference;

[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public class CgmGatingTests
{
    static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    [Fact]
    public void HardGateZeroesImagesBelowTheThresholdAndSoftGateMultiplies()
    {
        using var scope = NewDisposeScope();
        var probabilities = tensor(new[] { 0.9f, 0.2f, 0.6f, 0.4f, 0.9f, 0.2f, 0.6f, 0.4f }, new long[] { 2, 1, 2, 2 });
        var presenceLogits = tensor(new[] { -1f, 2f }, new long[] { 2, 1 });

        var hard = Values(CgmGate.Apply(probabilities, presenceLogits, GatingMode.Hard));
        var soft = Values(CgmGate.Apply(probabilities, presenceLogits, GatingMode.Soft));
        var off = Values(CgmGate.Apply(probabilities, presenceLogits, GatingMode.Off));

        Assert.Equal(new[] { 0f, 0, 0, 0, 0.9f, 0.2f, 0.6f, 0.4f }, hard);
        float p0 = 1 / (1 + MathF.Exp(1)), p1 = 1 / (1 + MathF.Exp(-2));
        Assert.Equal(new[] { 0.9f * p0, 0.2f * p0, 0.6f * p0, 0.4f * p0, 0.9f * p1, 0.2f * p1, 0.6f * p1, 0.4f * p1 }, soft, new FloatTolerance(1e-6f));
        Assert.Equal(Values(probabilities), off);
        // Presence exactly at τ passes the hard gate.
        Assert.Equal(0.9f, Values(CgmGate.ApplyPresence(probabilities, tensor(new[] { 0.5f, 0.5f }, new long[] { 2, 1 }), GatingMode.Hard))[0]);
    }

    [Fact]
    public void MultiClassGatesForegroundOnlyAndArgmaxFallsToTheNextMostProbableClass()
    {
        using var scope = NewDisposeScope();
        // Two voxels, classes (background, 1, 2): [0.3, 0.5, 0.2] and [0.1, 0.5, 0.4].
        var probabilities = tensor(new[] { 0.3f, 0.1f, 0.5f, 0.5f, 0.2f, 0.4f }, new long[] { 1, 3, 1, 2 });
        var presence = tensor(new[] { 0.1f, 0.2f, 0.9f }, new long[] { 1, 3 });   // background "absent" must not matter

        var hard = CgmGate.ApplyPresence(probabilities, presence, GatingMode.Hard);
        Assert.Equal(new[] { 0.3f, 0.1f, 0, 0, 0.2f, 0.4f }, Values(hard));
        Assert.Equal(new long[] { 0, 2 }, hard.argmax(1).flatten().data<long>().ToArray());
        var soft = CgmGate.ApplyPresence(probabilities, presence, GatingMode.Soft);
        Assert.Equal(new[] { 0.3f, 0.1f, 0.1f, 0.1f, 0.18f, 0.36f }, Values(soft), new FloatTolerance(1e-6f));
    }

    [Fact]
    public void PredictorGatesWithTheImageMaximumOrPerTile()
    {
        using var scope = NewDisposeScope();
        using var net = InferenceNets.SpotDetector();
        int[] shape = { 64, 64 };
        var spot = new float[64 * 64];
        spot[2 * 64 + 2] = 10;   // seen only by the top-left tile
        float segmentation = 1 / (1 + MathF.Exp(-2)), seen = 1 / (1 + MathF.Exp(-5)), unseen = 1 / (1 + MathF.Exp(5));

        SegmentationPrediction Run(float[] image, GatingMode gating, PresenceAggregation presence) =>
            new SlidingWindowPredictor(net, new SlidingWindowOptions
            { Depth = 1, TileSize = new[] { 32, 32 }, MirrorAxes = Array.Empty<int>(), Gating = gating, Presence = presence, ReturnProbabilities = true })
            .Predict(image, 1, shape);

        var imageMax = Run(spot, GatingMode.Hard, PresenceAggregation.ImageMax);
        Assert.Equal(9, imageMax.Tiles);
        Assert.Equal(seen, imageMax.Presence![0], 3);
        Assert.All(imageMax.Probabilities!, p => Assert.Equal(segmentation, p, 5));
        Assert.All(imageMax.Labels, l => Assert.Equal(1, l));

        var soft = Run(spot, GatingMode.Soft, PresenceAggregation.ImageMax);
        Assert.All(soft.Probabilities!, p => Assert.Equal(segmentation * seen, p, 3));

        var perTile = Run(spot, GatingMode.Hard, PresenceAggregation.PerTile);
        Assert.Equal(segmentation, perTile.Probabilities![2 * 64 + 2], 5);    // only the tile that sees the spot covers it
        Assert.Equal(0f, perTile.Probabilities[60 * 64 + 60]);                // only tiles that do not see it
        Assert.Equal(0, perTile.Labels[60 * 64 + 60]);

        var empty = new float[64 * 64];
        var gated = Run(empty, GatingMode.Hard, PresenceAggregation.ImageMax);
        Assert.Equal(unseen, gated.Presence![0], 4);
        Assert.All(gated.Probabilities!, p => Assert.Equal(0f, p));
        Assert.All(gated.Labels, l => Assert.Equal(0, l));
        Assert.All(Run(empty, GatingMode.Off, PresenceAggregation.ImageMax).Labels, l => Assert.Equal(1, l));
    }
}
