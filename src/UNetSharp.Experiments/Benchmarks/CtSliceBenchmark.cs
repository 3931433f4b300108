using System.Diagnostics;
using UNetSharp.Inference;
using UNetSharp.Models;
using UNetSharp.Planning;

namespace UNetSharp.Experiments.Benchmarks;

/// <summary>The CT volume in the 2D configuration: slices across the coarsest axis, predicted batched by a 2D UNet#.</summary>
/// <param name="SliceAxis">The volume axis the slices cut across ([z, y, x] order; 0 = z for thick-slice CT).</param>
/// <param name="SliceShape">One slice at the in-plane target spacing (the input's own: no resampling when it already is).</param>
/// <param name="TilesPerSlice">Tiles of one slice at the plan's patch size and overlap.</param>
/// <param name="SlicesRun">Slices actually predicted (a slice budget: the first ones); the rest extrapolated at <paramref name="SecondsPerSlice"/>.</param>
/// <param name="Gflop">Forward GFLOP of every tile of every slice (convolutions only).</param>
/// <param name="ConvForwardGflops">Same-process 2D convolution forward roofline (the faster of NCHW and channels-last); 0 when not measured.</param>
public sealed record CtSliceResult(int[] Shape, double[] Spacing, int SliceAxis, double[] InPlaneSpacing, int[] SliceShape, int[] Widths, string Norm, int Depth,
    int[] Tile, double Overlap, int TilesPerSlice, int TilesPerPass, int Slices, int SlicesRun, double Gflop, double ConvForwardGflops, double Seconds,
    double SecondsPerSlice, double ExtrapolatedSeconds, double BaselineRssMb, double PeakRssMb, bool PeakWasReset)
{
    /// <summary>Extrapolated wall time over the roofline time of all tiles' FLOPs; null without a roofline.</summary>
    public double? TimeOverRoofline => ConvForwardGflops > 0 ? Math.Round(ExtrapolatedSeconds / (Gflop / ConvForwardGflops), 2) : null;
}

/// <summary>
/// `unetsharp bench predict --ct-volume --ct-dims 2`: the synthetic CT planned as <see cref="ExperimentPlanner"/> plans the 2D
/// configuration of a volume data set (slice axis, in-plane median spacing, 2D patch within 256², depth 4, widths 32..512,
/// batch norm folded as `predict` does) and predicted slice by slice with <see cref="SliceStackPredictor"/>.
/// </summary>
public static class CtSliceBenchmark
{
    public static CtSliceResult Run(int[] shape, double[] spacing, IReadOnlyList<int>? widths = null, int? depth = null, double overlap = 0.5,
        int? maxSlices = null, bool measureRoofline = true)
    {
        var full = SpacingPlanner.TargetSpacing([("synthetic CT", spacing)]);
        int axis = SpacingPlanner.SliceAxis(full);
        double[] inPlane = full.Where((_, a) => a != axis).ToArray();
        int[] slice = SpacingPlanner.ResampledShape(shape.Where((_, a) => a != axis).ToArray(), spacing.Where((_, a) => a != axis).ToArray(), inPlane);
        var networkWidths = widths?.ToArray() ?? NetworkConfig.DefaultWidths(4).ToArray();
        int networkDepth = networkWidths.Length - 1;
        var strides = SpacingPlanner.Strides(inPlane, slice.Select(s => Math.Min(s, 256)).ToArray(), networkDepth, "synthetic CT");
        var config = new NetworkConfig { Dimensions = 2, Depth = networkDepth, Widths = networkWidths, Norm = NormKind.Batch, DeepSupervision = true, Strides = strides };
        var tile = SpacingPlanner.PatchSize(slice, config.SizeMultiples, 256, long.MaxValue);
        double roofline = measureRoofline ? Rooflines.Measure(dimensions: 2).ConvForwardGflops : 0;

        using var net = new SegmentationNetwork(config);
        BatchNormFolding.FoldInPlace(net);
        var predictor = new SlidingWindowPredictor(net, new SlidingWindowOptions { Depth = depth, TileSize = tile, Overlap = overlap, MirrorAxes = Array.Empty<int>() });
        var stack = new SliceStackPredictor(predictor);
        int slices = shape[axis], run = Math.Min(maxSlices ?? slices, slices);
        long plane = (long)slice[0] * slice[1];
        // the volume is already [z, y, x] with z the slice axis for thick-slice CT; only the slices run are made
        if (axis != 0) throw new ConfigurationException($"the CT benchmark slices across z; spacing [{string.Join(", ", spacing)}] makes axis {axis} the coarsest");
        var rng = new Random(5);
        // the whole volume and its label map are held, as in a prediction, even when only the first slices run
        var whole = new float[slices * plane];
        for (long i = 0; i < whole.LongLength; i++) whole[i] = (float)(rng.NextDouble() * 2 - 1);
        var labels = new byte[whole.LongLength];
        var volume = run == slices ? whole : whole[..checked((int)(run * plane))];
        var grid = predictor.PlanFor(slice);
        GC.Collect();
        double baseline = ProcessMemory.Resident() / 1048576.0;
        bool reset = ProcessMemory.ResetPeak();
        var clock = Stopwatch.StartNew();
        var prediction = stack.Predict(volume, 1, [run, slice[0], slice[1]]);
        double seconds = clock.Elapsed.TotalSeconds;
        if (prediction.Labels.LongLength != volume.LongLength) throw new InvalidOperationException("the slice stack lost voxels");
        prediction.Labels.CopyTo(labels, 0);
        double gflop = (double)slices * grid.TileCount * NetworkCost.Flops(config, net.Topology, predictor.Depth, tile.Select(t => (long)t).ToArray(), allHeads: false) / 1e9;
        double perSlice = seconds / run;
        return new CtSliceResult(shape, spacing, axis, inPlane, slice, networkWidths, "batch (folded)", predictor.Depth, tile, overlap, grid.TileCount,
            stack.TilesPerPass(grid.TileSize), slices, run, Math.Round(gflop, 1), Math.Round(roofline, 1), Math.Round(seconds, 1), Math.Round(perSlice, 2),
            Math.Round(perSlice * slices, 1), Math.Round(baseline, 0), Math.Round(ProcessMemory.Peak() / 1048576.0, 0), reset);
    }
}
