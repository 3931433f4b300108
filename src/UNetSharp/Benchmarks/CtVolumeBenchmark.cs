using System.Diagnostics;
using UNetSharp.Inference;
using UNetSharp.Inference.Jobs;
using UNetSharp.Models;

namespace UNetSharp.Benchmarks;

/// <summary>Time and peak memory of one CT-size volume through the sliding window (tiles streamed into one accumulator).</summary>
public sealed record CtVolumeResult(int[] Shape, int[] Widths, string Norm, int Depth, int[] Tile, double Overlap, int Tiles, double Seconds,
    double InputMb, double BaselineRssMb, double PeakRssMb, bool PeakWasReset);

/// <summary>
/// `unetsharp bench predict --ct-volume`: a synthetic CT-size volume (default 512x512x200, [z, y, x] = [200, 512, 512])
/// predicted by a 3D UNet# with the planner's 3D defaults (depth 3, widths 16..128, instance norm) and random weights,
/// tiles of 128³ as the sliding window's automatic 3D tile. Reports wall time and peak RSS (VmHWM) over the prediction.
/// </summary>
public static class CtVolumeBenchmark
{
    public static CtVolumeResult Run(int[] shape, IReadOnlyList<int> widths, int? depth = null, int tile = 128, double overlap = 0.5)
    {
        var config = new NetworkConfig { Dimensions = 3, Depth = widths.Count - 1, Widths = widths.ToArray(), Norm = NormKind.Instance, DeepSupervision = true };
        using var net = new SegmentationNetwork(config);
        var rng = new Random(5);
        long voxels = shape.Aggregate(1L, (a, b) => a * b);
        var image = new float[voxels];
        for (long i = 0; i < voxels; i++) image[i] = (float)(rng.NextDouble() * 2 - 1);
        var predictor = new SlidingWindowPredictor(net, new SlidingWindowOptions
        {
            Depth = depth, TileSize = Enumerable.Repeat(tile, 3).ToArray(), Overlap = overlap, MirrorAxes = Array.Empty<int>(),
        });
        GC.Collect();
        double baseline = ProcessMemory.Resident() / 1048576.0;
        bool reset = ProcessMemory.ResetPeak();
        var clock = Stopwatch.StartNew();
        var prediction = predictor.Predict(image, 1, shape);
        double seconds = clock.Elapsed.TotalSeconds;
        return new CtVolumeResult(shape, widths.ToArray(), "instance", predictor.Depth, predictor.PlanFor(shape).TileSize, overlap, prediction.Tiles,
            Math.Round(seconds, 1), Math.Round(voxels * 4 / 1048576.0, 0), Math.Round(baseline, 0), Math.Round(ProcessMemory.Peak() / 1048576.0, 0), reset);
    }
}
