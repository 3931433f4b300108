using TorchSharp;
using UNetSharp.Data;
using UNetSharp.Inference;
using UNetSharp.Models;
using UNetSharp.Tests.Models;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Inference;

[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public class SlidingWindowTests
{
    static readonly int[] NoMirrors = Array.Empty<int>();

    static float[] Values(Tensor t) => t.contiguous().data<float>().ToArray();

    [Theory]
    [InlineData(2, 1)]
    [InlineData(2, 3)]
    [InlineData(3, 3)]
    public void OneTileCoveringTheImageEqualsASinglePass(int dims, int classes)
    {
        using var scope = NewDisposeScope();
        manual_seed(11);
        using var net = new SegmentationNetwork(TinyNets.Config(dims: dims, depth: 3, classes: classes));
        int[] shape = dims == 2 ? new[] { 32, 40 } : new[] { 16, 24, 16 };
        var image = InferenceNets.Random(shape.Aggregate(1, (a, b) => a * b), seed: 1);
        var predictor = new SlidingWindowPredictor(net, new SlidingWindowOptions { MirrorAxes = NoMirrors, ReturnProbabilities = true });
        Assert.Equal(1, predictor.PlanFor(shape).TileCount);

        var prediction = predictor.Predict(image, 1, shape);

        Tensor logits;
        using (no_grad()) logits = net.Forward(tensor(image, new long[] { 1, 1 }.Concat(shape.Select(s => (long)s)).ToArray()), 3).Logits[0];
        var expected = classes == 1 ? logits.sigmoid() : logits.softmax(0);
        var labels = classes == 1 ? expected[0].ge(0.5).to_type(ScalarType.Byte) : expected.argmax(0).to_type(ScalarType.Byte);
        Assert.Equal(Values(expected), prediction.Probabilities!, new FloatTolerance(1e-5f));
        Assert.Equal(labels.contiguous().data<byte>().ToArray(), prediction.Labels);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void GaussianBlendingOfAConstantNetworkIsConstantEverywhere(int dims)
    {
        using var scope = NewDisposeScope();
        float[] logits = { 0.2f, 1.0f, -0.5f };
        using var net = InferenceNets.ConstantOutput(dims, logits);
        int[] shape = dims == 2 ? new[] { 70, 45 } : new[] { 20, 37, 29 };
        var options = new SlidingWindowOptions { TileSize = Enumerable.Repeat(16, dims).ToArray(), MirrorAxes = NoMirrors, ReturnProbabilities = true, BatchSize = 3 };
        var predictor = new SlidingWindowPredictor(net, options);
        var grid = predictor.PlanFor(shape);
        Assert.True(grid.TileCount >= (dims == 2 ? 20 : 24), $"{grid.TileCount} tiles");

        var prediction = predictor.Predict(InferenceNets.Random(shape.Aggregate(1, (a, b) => a * b) , seed: 2), 1, shape);

        var expected = Values(tensor(logits).softmax(0));
        int voxels = shape.Aggregate(1, (a, b) => a * b);
        Assert.Equal(3 * voxels, prediction.Probabilities!.Length);
        for (int c = 0; c < 3; c++)
        {
            var channel = prediction.Probabilities.Skip(c * voxels).Take(voxels).ToArray();
            Assert.InRange(channel.Min(), expected[c] - 1e-6f, expected[c] + 1e-6f);
            Assert.InRange(channel.Max(), expected[c] - 1e-6f, expected[c] + 1e-6f);
        }
        Assert.All(prediction.Labels, l => Assert.Equal(1, l));
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void TiledPredictionOfALocalNetworkMatchesTheSinglePassOnOddSizes(int dims)
    {
        using var scope = NewDisposeScope();
        using var net = InferenceNets.Local(dims, seed: 5);
        int[] shape = dims == 2 ? new[] { 70, 45 } : new[] { 20, 37, 29 };
        int voxels = shape.Aggregate(1, (a, b) => a * b);
        var image = InferenceNets.Random(voxels, seed: 3);
        var options = new SlidingWindowOptions { Depth = 1, TileSize = Enumerable.Repeat(dims == 2 ? 32 : 16, dims).ToArray(), MirrorAxes = NoMirrors, ReturnProbabilities = true };
        var predictor = new SlidingWindowPredictor(net, options);
        var grid = predictor.PlanFor(shape);
        Assert.True(grid.TileCount > 4);

        var prediction = predictor.Predict(image, 1, shape);

        // Reference: the whole image padded the same way (centred, zeros) in one pass, cropped back.
        var padded = dims == 2 ? new[] { 72, 48 } : new[] { 24, 40, 32 };
        Assert.Equal(padded, grid.PaddedShape);
        var x = tensor(image, new long[] { 1, 1 }.Concat(shape.Select(s => (long)s)).ToArray());
        var pads = Enumerable.Range(0, dims).Reverse().SelectMany(a => new long[] { grid.PadBefore[a], padded[a] - shape[a] - grid.PadBefore[a] }).ToArray();
        Tensor reference;
        using (no_grad()) reference = net.Forward(nn.functional.pad(x, pads), 1).Logits.sigmoid()[0, 0];
        for (int a = 0; a < dims; a++) reference = reference.narrow(a, grid.PadBefore[a], shape[a]);

        Assert.Equal(voxels, prediction.Labels.Length);
        Assert.Equal(voxels, prediction.Probabilities!.Length);
        var difference = (tensor(prediction.Probabilities, shape.Select(s => (long)s).ToArray()) - reference).abs();
        // Exact wherever every covering tile sees the voxel at least the receptive radius (4) from its inner edges; the
        // rest mixes in a tile that saw zero padding instead of neighbours, with a small Gaussian weight.
        var exact = ExactRegion(grid, radius: 4);
        float exactFraction = exact.to_type(ScalarType.Float32).mean().item<float>();
        Assert.True(exactFraction > 0.05f, $"exact fraction {exactFraction}");
        Assert.True(difference.masked_select(exact).max().item<float>() < 1e-5f, $"max difference {difference.masked_select(exact).max().item<float>()}");
        Assert.True(difference.max().item<float>() < 0.05f, $"max difference {difference.max().item<float>()}");
        Assert.True(reference.std().item<float>() > 0.005f, $"std {reference.std().item<float>()}");   // the output varies, so a misplaced tile would show
    }

    /// <summary>Voxels (image coordinates) at least <paramref name="radius"/> from the inner edges of every tile covering them.</summary>
    static Tensor ExactRegion(TileGrid grid, int radius)
    {
        Tensor? region = null;
        for (int a = 0; a < grid.ImageShape.Length; a++)
        {
            int t = grid.TileSize[a], size = grid.PaddedShape[a];
            var safe = Enumerable.Range(grid.PadBefore[a], grid.ImageShape[a]).Select(x => grid.Starts[a]
                .Where(s => s <= x && x < s + t)
                .All(s => (s == 0 || x - s >= radius) && (s + t == size || s + t - 1 - x >= radius))).ToArray();
            var shape = Enumerable.Repeat(1L, grid.ImageShape.Length).ToArray();
            shape[a] = safe.Length;
            var axis = tensor(safe).reshape(shape);
            region = region is null ? axis : region.logical_and(axis);
        }
        return region!.expand(grid.ImageShape.Select(s => (long)s).ToArray());
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void MirroringTtaMakesThePredictionOfAFlippedImageTheFlippedPrediction(int dims)
    {
        using var scope = NewDisposeScope();
        manual_seed(21);
        using var net = new SegmentationNetwork(TinyNets.Config(dims: dims, depth: 3, classes: 2));
        int[] shape = dims == 2 ? new[] { 64, 48 } : new[] { 16, 32, 24 };
        int voxels = shape.Aggregate(1, (a, b) => a * b);
        var image = InferenceNets.Random(voxels, seed: 4);
        long[] axes = Enumerable.Range(0, dims).Select(a => (long)a).ToArray();
        var flippedImage = InferenceNets.Flip(image, 1, shape, axes);
        var tile = Enumerable.Repeat(dims == 2 ? 32 : 16, dims).ToArray();

        float MirrorError(IReadOnlyList<int>? mirrorAxes)
        {
            var predictor = new SlidingWindowPredictor(net, new SlidingWindowOptions { TileSize = tile, MirrorAxes = mirrorAxes, ReturnProbabilities = true });
            Assert.True(predictor.PlanFor(shape).TileCount > 1);
            var direct = predictor.Predict(image, 1, shape).Probabilities!;
            var ofFlipped = predictor.Predict(flippedImage, 1, shape).Probabilities!;
            var back = InferenceNets.Flip(ofFlipped, 2, shape, axes);
            return direct.Zip(back, (a, b) => Math.Abs(a - b)).Max();
        }

        var withTta = new SlidingWindowPredictor(net, new SlidingWindowOptions());
        Assert.Equal(1 << dims, withTta.PassesPerTile);
        Assert.True(MirrorError(null) < 1e-5f);
        Assert.True(MirrorError(NoMirrors) > 1e-3f);   // without TTA the network is not mirror-symmetric
    }

    [Theory]
    [InlineData(1, 3)]
    [InlineData(2, 6)]
    [InlineData(3, 10)]
    public void PrunedDepthRunsOnlyItsNodes(int depth, int nodes)
    {
        using var scope = NewDisposeScope();
        using var net = new SegmentationNetwork(TinyNets.Config(depth: 3));
        var predictor = new SlidingWindowPredictor(net, new SlidingWindowOptions { Depth = depth, MirrorAxes = NoMirrors });
        var image = new SegmentationCase("case", InferenceNets.Random(24 * 24, seed: 1), 1, new[] { 24, 24 }, null, new[] { 1.0, 1.0 });
        var prediction = predictor.Predict(image);
        Assert.Equal(nodes, net.LastExecutedNodeCount);
        Assert.Equal(depth, prediction.Depth);
        Assert.Equal(24 * 24, prediction.LabelsAsInt().Length);
    }

    [Fact]
    public void UnavailableDepthAndBadTileSizeAreRejected()
    {
        using var net = new SegmentationNetwork(TinyNets.Config(depth: 3));
        Assert.Throws<ConfigurationException>(() => new SlidingWindowPredictor(net, new SlidingWindowOptions { Depth = 4 }));
        var predictor = new SlidingWindowPredictor(net, new SlidingWindowOptions { TileSize = new[] { 12, 16 } });
        Assert.Throws<ConfigurationException>(() => predictor.Predict(new float[32 * 32], 1, new[] { 32, 32 }));
        Assert.Throws<ConfigurationException>(() => new SlidingWindowPredictor(net).Predict(new float[2 * 32 * 32], 2, new[] { 32, 32 }));
    }

    [Fact]
    public void TensorApiGivesTheSameProbabilitiesAsTheArrayApi()
    {
        using var scope = NewDisposeScope();
        manual_seed(4);
        using var net = new SegmentationNetwork(TinyNets.Config(depth: 2, classes: 2));
        var image = InferenceNets.Random(2 * 30 * 20, seed: 6).Take(30 * 20).ToArray();
        var predictor = new SlidingWindowPredictor(net, new SlidingWindowOptions { TileSize = new[] { 16, 16 }, ReturnProbabilities = true });
        var fromArray = predictor.Predict(image, 1, new[] { 30, 20 }).Probabilities!;
        var fromTensor = predictor.PredictProbabilities(tensor(image, new long[] { 1, 30, 20 }));
        Assert.Equal(new long[] { 2, 30, 20 }, fromTensor.shape);
        Assert.Equal(fromArray, Values(fromTensor), new FloatTolerance(1e-6f));
        Assert.Throws<ConfigurationException>(() => predictor.PredictProbabilities(tensor(image, new long[] { 1, 1, 30, 20 })));
    }

    [Fact]
    public void ReflectPaddingAndBatchingGiveTheSameBlendAsOneTileAtATime()
    {
        using var scope = NewDisposeScope();
        manual_seed(8);
        using var net = new SegmentationNetwork(TinyNets.Config(depth: 3));
        var image = InferenceNets.Random(45 * 70, seed: 9);
        float[] Run(int batch, TilePadding padding) => new SlidingWindowPredictor(net, new SlidingWindowOptions
            { TileSize = new[] { 16, 32 }, BatchSize = batch, Padding = padding, MirrorAxes = new[] { 1 }, ReturnProbabilities = true })
            .Predict(image, 1, new[] { 45, 70 }).Probabilities!;
        var single = Run(1, TilePadding.Reflect);
        Assert.Equal(single, Run(4, TilePadding.Reflect), new FloatTolerance(1e-5f));
        Assert.True(single.Zip(Run(1, TilePadding.Constant), (a, b) => Math.Abs(a - b)).Max() > 1e-4f);   // the padding reaches the border voxels
    }
}
