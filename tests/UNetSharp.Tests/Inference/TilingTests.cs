using TorchSharp;
using UNetSharp.Experiments.Benchmarks;
using UNetSharp.Inference;
using UNetSharp.Models;
using UNetSharp.Tests.Models;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Inference;

public class TilingTests
{
    [Fact]
    public void TilesAreSpreadEvenlyFromBorderToBorderWithAtLeastTheOverlap()
    {
        var grid = TileGrid.Plan(new[] { 70, 45 }, 8, new[] { 32, 64 }, 512, 0.5);
        Assert.Equal(new[] { 72, 64 }, grid.PaddedShape);           // multiple of 8; at least the tile
        Assert.Equal(new[] { 1, 9 }, grid.PadBefore);
        Assert.Equal(new[] { 0, 13, 27, 40 }, grid.Starts[0]);     // step 40/3, at most 16
        Assert.Equal(new[] { 0 }, grid.Starts[1]);
        Assert.Equal(4, grid.Tiles().Count());
        Assert.Equal(new[] { 40, 0 }, grid.Tiles().Last());
    }

    [Fact]
    public void DefaultTileIsTheWholeImageUpToTheMaximum()
    {
        var small = TileGrid.Plan(new[] { 300, 200 }, 16, null, 512, 0.5);
        Assert.Equal(new[] { 304, 208 }, small.TileSize);
        Assert.Equal(1, small.TileCount);
        var ct = TileGrid.Plan(new[] { 200, 512, 512 }, 16, null, 128, 0.5);
        Assert.Equal(new[] { 128, 128, 128 }, ct.TileSize);
        Assert.Equal(new[] { 208, 512, 512 }, ct.PaddedShape);
        Assert.Equal(3 * 7 * 7, ct.TileCount);
        Assert.Throws<ConfigurationException>(() => TileGrid.Plan(new[] { 64, 64 }, 16, new[] { 24, 32 }, 512, 0.5));
        Assert.Throws<ConfigurationException>(() => TileGrid.Plan(new[] { 64, 64 }, 16, null, 512, 1.0));
    }

    [Fact]
    public void GaussianImportanceIsNnUNetsWithMaximumOne()
    {
        using var scope = NewDisposeScope();
        var map = GaussianImportance.Create(new[] { 16, 8 });
        Assert.Equal(new long[] { 16, 8 }, map.shape);
        Assert.Equal(1f, map.max().item<float>(), 6);
        // sigma = n/8, centre (n−1)/2: corner / centre-most value = exp(−(7.5² − 0.5²)/(2·2²)) · exp(−(3.5² − 0.5²)/(2·1²)).
        double corner = Math.Exp(-(7.5 * 7.5 - 0.25) / 8) * Math.Exp(-(3.5 * 3.5 - 0.25) / 2);
        Assert.Equal(corner, map[0, 0].item<float>(), 6);
        Assert.Equal(0f, (map - map.flip(0)).abs().max().item<float>());
        Assert.Equal(0f, (map - map.flip(1)).abs().max().item<float>());
        Assert.True(map.min().item<float>() > 0);
    }

    [Fact]
    public void MirrorCombinationsCoverEverySubsetOfTheAxes()
    {
        Assert.Equal(4, MirrorAxes.Combinations(new[] { 0, 1 }, 2).Count);
        Assert.Equal(8, MirrorAxes.Combinations(new[] { 0, 1, 2 }, 3).Select(a => string.Join(",", a)).Distinct().Count());
        Assert.Equal(new[] { "", "3" }, MirrorAxes.Combinations(new[] { 1 }, 2).Select(a => string.Join(",", a)));
        Assert.Throws<ConfigurationException>(() => MirrorAxes.Combinations(new[] { 2 }, 2));
    }

    [Fact]
    public void BenchmarkTimesEachDepthAndReportsItsNodes()
    {
        using var net = new SegmentationNetwork(TinyNets.Config(depth: 3));
        var latencies = PredictionBenchmark.MeasureDepths(net, new long[] { 32, 32 }, runs: 3);
        Assert.Equal(new[] { 1, 2, 3 }, latencies.Select(l => l.Depth));
        Assert.Equal(new[] { 3, 6, 10 }, latencies.Select(l => l.Nodes));
        Assert.All(latencies, l => Assert.True(l.MinMs > 0 && l.MinMs <= l.MedianMs && l.Runs == 3));
        Assert.Throws<ConfigurationException>(() => PredictionBenchmark.MeasureDepths(net, new long[] { 30, 32 }));
    }
}
