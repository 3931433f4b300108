using System.Diagnostics;
using UNetSharp.Data.Preprocessing;
using UNetSharp.Inference;
using UNetSharp.Prediction;
using UNetSharp.Models;
using UNetSharp.Planning;

namespace UNetSharp.Experiments.Benchmarks;

/// <summary>One CT-size volume through the plan's answer: resampled to the planned spacing, tiled, resampled back.</summary>
/// <param name="Shape">Input [z, y, x].</param>
/// <param name="Spacing">Input spacing [z, y, x] in mm.</param>
/// <param name="TargetSpacing">The plan's spacing (coarser than the input's when the volume is over the CPU budget).</param>
/// <param name="SpacingNote">Why the plan coarsened the spacing; null when it did not.</param>
/// <param name="PlannedShape">The volume's shape at the target spacing (what the network sees).</param>
/// <param name="Strides">The plan's per-level strides.</param>
/// <param name="Tile">The plan's patch size, used as the tile.</param>
/// <param name="Gflop">Forward GFLOP of all tiles (convolutions only).</param>
/// <param name="ConvForwardGflops">Same-process conv3d forward roofline; 0 when not measured.</param>
/// <param name="Seconds">Wall time: resampling to the target, every tile (or the <paramref name="TilesRun"/> sampled ones), blending, labels resampled back to the input grid.</param>
/// <param name="TilesRun">Tiles actually run: all, or a tile budget spread evenly over the grid (the rest extrapolated at <paramref name="SecondsPerTile"/>).</param>
public sealed record CtVolumeResult(int[] Shape, double[] Spacing, double[] TargetSpacing, string? SpacingNote, int[] PlannedShape, int[][] Strides,
    int[] Widths, string Norm, int Depth, int[] Tile, double Overlap, int Tiles, double Gflop, double ConvForwardGflops, double Seconds,
    double InputMb, double BaselineRssMb, double PeakRssMb, bool PeakWasReset, int TilesRun, double? SecondsPerTile = null, double? ExtrapolatedSeconds = null)
{
    /// <summary>Wall time (extrapolated to every tile when only some ran) over the roofline time of all tiles' FLOPs (target ≤ 1.3); null without a roofline.</summary>
    public double? TimeOverRoofline => ConvForwardGflops > 0 ? Math.Round((ExtrapolatedSeconds ?? Seconds) / (Gflop / ConvForwardGflops), 2) : null;
}

/// <summary>
/// `unetsharp bench predict --ct-volume`: a synthetic CT-size volume (default 512x512x200 at 0.78 x 0.78 x 2.5 mm,
/// [z, y, x] = [200, 512, 512]) planned as <see cref="ExperimentPlanner"/> plans a data set of such scans (target spacing,
/// the CPU case budget, strides, patch) and predicted by a 3D UNet# with the planner's 3D defaults (depth 3, widths
/// 16..128, instance norm) and random weights. Reports the plan's answer, wall time, peak RSS (VmHWM) and FLOPs.
/// </summary>
public static class CtVolumeBenchmark
{
    /// <param name="maxTiles">Tile budget: when the grid has more tiles, only this many (evenly spread) run, each accumulated
    /// into the full-size blend as in a whole prediction, and the wall time of all tiles is extrapolated from them.</param>
    public static CtVolumeResult Run(int[] shape, double[] spacing, IReadOnlyList<int> widths, int? depth = null, double overlap = 0.5,
        bool measureRoofline = true, long maxCaseVoxels = SpacingPlanner.MaxCaseVoxels, int? maxTiles = null)
    {
        var target = SpacingPlanner.TargetSpacing([("synthetic CT", spacing)]);
        var (planned, note) = SpacingPlanner.FitCaseBudget(target, shape, spacing, maxCaseVoxels);
        var plannedShape = SpacingPlanner.ResampledShape(shape, spacing, planned);
        int networkDepth = widths.Count - 1;
        var strides = SpacingPlanner.Strides(planned, plannedShape.Select(s => Math.Min(s, 128)).ToArray(), networkDepth, "synthetic CT");
        var config = new NetworkConfig
        {
            Dimensions = 3, Depth = networkDepth, Widths = widths.ToArray(), Norm = NormKind.Instance, DeepSupervision = true, Strides = strides,
        };
        var tile = SpacingPlanner.PatchSize(plannedShape, config.SizeMultiples, 128, 96L * 96 * 96);
        double roofline = measureRoofline ? Rooflines.Measure(dimensions: 3).ConvForwardGflops : 0;

        using var net = new SegmentationNetwork(config);
        var rng = new Random(5);
        long voxels = shape.Aggregate(1L, (a, b) => a * b);
        var image = new float[voxels];
        for (long i = 0; i < voxels; i++) image[i] = (float)(rng.NextDouble() * 2 - 1);
        var predictor = new SlidingWindowPredictor(net, new SlidingWindowOptions
        {
            Depth = depth, TileSize = tile, Overlap = overlap, MirrorAxes = Array.Empty<int>(),
        });
        var grid = predictor.PlanFor(plannedShape);
        if (maxTiles is int budget && budget < grid.TileCount)
            return Sampled(shape, spacing, planned, note, plannedShape, strides, widths, config, net, predictor, grid, image, tile, overlap, budget, roofline);
        GC.Collect();
        double baseline = ProcessMemory.Resident() / 1048576.0;
        bool reset = ProcessMemory.ResetPeak();
        var clock = Stopwatch.StartNew();
        var resampled = Resampler.Linear(image, 1, shape, plannedShape);
        var prediction = predictor.Predict(resampled, 1, plannedShape);
        var labels = Resampler.NearestLabels(prediction.Labels, plannedShape, shape);
        double seconds = clock.Elapsed.TotalSeconds;
        if (labels.LongLength != voxels) throw new InvalidOperationException("labels were not resampled back to the input grid");
        double gflop = prediction.Tiles * NetworkCost.Flops(config, net.Topology, predictor.Depth, tile.Select(t => (long)t).ToArray(), allHeads: false) / 1e9;
        return new CtVolumeResult(shape, spacing, planned, note, plannedShape, strides, widths.ToArray(), "instance", predictor.Depth, tile, overlap,
            prediction.Tiles, Math.Round(gflop, 3), Math.Round(roofline, 1), Math.Round(seconds, 1), Math.Round(voxels * 4 / 1048576.0, 0),
            Math.Round(baseline, 0), Math.Round(ProcessMemory.Peak() / 1048576.0, 0), reset, prediction.Tiles);
    }

    /// <summary>The whole pipeline with a tile budget: resampling both ways and the full-size blend as in a prediction, <paramref name="budget"/> tiles.</summary>
    static CtVolumeResult Sampled(int[] shape, double[] spacing, double[] planned, string? note, int[] plannedShape, int[][] strides, IReadOnlyList<int> widths,
        NetworkConfig config, SegmentationNetwork net, SlidingWindowPredictor predictor, TileGrid grid, float[] image, int[] tile, double overlap, int budget, double roofline)
    {
        var all = grid.Tiles().ToList();
        var chosen = Enumerable.Range(0, budget).Select(k => all[(int)((long)k * all.Count / budget)]).ToList();
        GC.Collect();
        double baseline = ProcessMemory.Resident() / 1048576.0;
        bool reset = ProcessMemory.ResetPeak();
        var clock = Stopwatch.StartNew();
        var resampled = Resampler.Linear(image, 1, shape, plannedShape);
        double tilesSeconds;
        using (var scope = TorchSharp.torch.NewDisposeScope())
        {
            var volume = TorchSharp.torch.tensor(resampled, [1, 1, .. plannedShape.Select(v => (long)v)]);
            var padded = predictor.Pad(volume, grid);
            using var accumulator = new ProbabilityAccumulator(config.Classes, grid.PaddedShape);
            var importance = GaussianImportance.Create(grid.TileSize);
            var tileClock = Stopwatch.StartNew();
            foreach (var start in chosen)
            {
                using var tileScope = TorchSharp.torch.NewDisposeScope();
                var crop = padded[0];
                for (int a = 0; a < 3; a++) crop = crop.narrow(a + 1, start[a], tile[a]);
                accumulator.Add(predictor.PredictProbabilities(crop), importance, start);
            }
            tilesSeconds = tileClock.Elapsed.TotalSeconds;
            accumulator.Blend();
        }
        var labels = Resampler.NearestLabels(new byte[plannedShape.Aggregate(1L, (a, b) => a * b)], plannedShape, shape);
        double seconds = clock.Elapsed.TotalSeconds;
        if (labels.LongLength != image.LongLength) throw new InvalidOperationException("labels were not resampled back to the input grid");
        double perTile = tilesSeconds / budget;
        double gflop = all.Count * NetworkCost.Flops(config, net.Topology, predictor.Depth, tile.Select(t => (long)t).ToArray(), allHeads: false) / 1e9;
        return new CtVolumeResult(shape, spacing, planned, note, plannedShape, strides, widths.ToArray(), "instance", predictor.Depth, tile, overlap,
            all.Count, Math.Round(gflop, 3), Math.Round(roofline, 1), Math.Round(seconds, 1), Math.Round(image.LongLength * 4 / 1048576.0, 0),
            Math.Round(baseline, 0), Math.Round(ProcessMemory.Peak() / 1048576.0, 0), reset, budget, Math.Round(perTile, 2),
            Math.Round(seconds - tilesSeconds + perTile * all.Count, 1));
    }
}
