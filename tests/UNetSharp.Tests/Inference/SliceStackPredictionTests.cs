using UNetSharp.Data.Preprocessing;
using UNetSharp.Inference;
using UNetSharp.Models;
using UNetSharp.Tests.Models;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Inference;

/// <summary>A 2D network on a volume: the batched slice stack equals the stack of one-slice-at-a-time predictions.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class SliceStackPredictionTests
{
    static SegmentationNetwork Net(int classes, bool cgm, int seed)
    {
        manual_seed(seed);
        var net = new SegmentationNetwork(TinyNets.Config(dims: 2, depth: 2, classes: classes, cgm: cgm));
        using (no_grad())   // He-scaled weights, so the output varies over the image (PyTorch's default init flattens it)
            foreach (var (_, w) in InferenceNets.Parameters(net).Where(p => p.Value.dim() > 2))
                w.normal_(0, Math.Sqrt(2.0 / (w.numel() / w.shape[0])));
        net.eval();
        return net;
    }

    /// <summary>Each slice z of [C, S, H, W] predicted alone, stacked.</summary>
    static (byte[] Labels, float[] Probabilities) OneSliceAtATime(SlidingWindowPredictor predictor, float[] volume, int channels, int[] shape, int classes)
    {
        int plane = shape[1] * shape[2], voxels = shape[0] * plane;
        var labels = new byte[voxels];
        var maps = new float[classes * voxels];
        for (int z = 0; z < shape[0]; z++)
        {
            var slice = new float[channels * plane];
            for (int ch = 0; ch < channels; ch++) Array.Copy(volume, ch * voxels + z * plane, slice, ch * plane, plane);
            var p = predictor.Predict(slice, channels, [shape[1], shape[2]]);
            p.Labels.CopyTo(labels, z * plane);
            for (int k = 0; k < classes; k++) Array.Copy(p.Probabilities!, k * plane, maps, k * voxels + z * plane, plane);
        }
        return (labels, maps);
    }

    [Theory]
    [InlineData(1, false, GatingMode.Hard, false)]   // binary, several tiles per slice, 4 slices per pass
    [InlineData(3, true, GatingMode.Hard, false)]    // multi-class with CGMs: the presence gate is per slice
    [InlineData(2, true, GatingMode.Soft, true)]     // soft gate, mirrored TTA
    public void TheBatchedStackEqualsPerSlicePredictions(int classes, bool cgm, GatingMode gating, bool tta)
    {
        using var net = Net(classes, cgm, seed: 11 + classes);
        int[] shape = [7, 21, 19];   // 21 x 19 slices in 16 x 16 tiles: 2 x 2 tiles each, padded
        // noise scaled differently per slice (−3..3), so slices, and their CGM presence, differ
        var volume = InferenceNets.Random(shape.Aggregate(1, (a, b) => a * b), seed: 5).Select((v, i) => v * (i / (21 * 19) - 3)).ToArray();
        var predictor = new SlidingWindowPredictor(net, new SlidingWindowOptions
        {
            TileSize = [16, 16], Overlap = 0.5, ReturnProbabilities = true, Gating = gating, MirrorAxes = tta ? null : Array.Empty<int>(),
        });
        var stack = new SliceStackPredictor(predictor);
        Assert.True(stack.TilesPerPass([16, 16]) > 4, "several slices' tiles share a forward pass");

        var batched = stack.Predict(volume, 1, shape);
        var (labels, maps) = OneSliceAtATime(predictor, volume, 1, shape, classes);

        Assert.Equal(shape, batched.Shape);
        Assert.Equal(7 * 4, batched.Tiles);
        Assert.Equal(labels, batched.Labels);
        Assert.True(labels.Distinct().Count() > 1, "the random network should predict more than one class");
        Assert.Equal(maps.Length, batched.Probabilities!.Length);
        double worst = maps.Zip(batched.Probabilities!, (a, b) => (double)Math.Abs(a - b)).Max();
        // Batch 7 and batch 1 take different convolution kernels: their rounding differed by 1.5e-6 with oneDNN's SSE4.1
        // kernels (AMD family 1Ah, NativeKernelGuard); the labels above are equal exactly.
        Assert.True(worst <= 1e-5, $"probabilities differ by up to {worst}");
    }

    [Fact]
    public void AxisMovesAreExactInversesAndPutTheSliceAxisFirst()
    {
        // value = 100 z + 10 y + x on a [3, 4, 5] volume with 2 channels (channel 1 offset by 1000)
        int[] shape = [3, 4, 5];
        var values = new float[2 * 60];
        for (int ch = 0; ch < 2; ch++)
            for (int z = 0; z < 3; z++)
                for (int y = 0; y < 4; y++)
                    for (int x = 0; x < 5; x++) values[ch * 60 + (z * 4 + y) * 5 + x] = 1000 * ch + 100 * z + 10 * y + x;
        var c = new UNetSharp.Data.SegmentationCase("v", values, 2, shape, Enumerable.Range(0, 60).ToArray(), [1.0, 2.0, 3.0]);

        var sagittal = VolumeSlices.MoveAxisFirst(c, 2);   // [x, z, y]
        Assert.Equal(new[] { 5, 3, 4 }, sagittal.Shape);
        Assert.Equal(new[] { 3.0, 1.0, 2.0 }, sagittal.Spacing);
        Assert.Equal(1000 + 100 * 2 + 10 * 1 + 4, sagittal.Image[60 + (4 * 3 + 2) * 4 + 1]);   // channel 1, x 4, z 2, y 1
        Assert.Equal((2 * 4 + 1) * 5 + 4, sagittal.Label![(4 * 3 + 2) * 4 + 1]);

        var coronal = VolumeSlices.MoveAxisFirst(c, 1);   // [y, z, x]
        Assert.Equal(new[] { 4, 3, 5 }, coronal.Shape);
        Assert.Equal(100 * 1 + 10 * 3 + 2, coronal.Image[(3 * 3 + 1) * 5 + 2]);   // y 3, z 1, x 2

        foreach (int axis in new[] { 0, 1, 2 })
        {
            var moved = VolumeSlices.MoveAxisFirst(c, axis);
            Assert.Equal(values, VolumeSlices.MoveAxisBack(moved.Image, 2, shape, axis));
            Assert.Equal(c.Label, VolumeSlices.MoveAxisBack(moved.Label!, 1, shape, axis));
        }
    }
}
