using UNetSharp.Experiments.Benchmarks;
using UNetSharp.Models;

namespace UNetSharp.Tests.Models;

/// <summary>`bench memory` on one small case: the row carries the planner's estimate and a measured step peak (process memory: serial).</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class MemoryBenchmarkTests
{
    [Fact]
    public void ARowHoldsTheEstimateAndAMeasuredPeakOfARealStep()
    {
        var net = new NetworkConfig { Architecture = "unet#", Depth = 2, Widths = [8, 16, 32], Cgm = true };
        var report = MemoryBenchmark.Run([new MemoryBenchmarkCase("tiny", net, [256, 256], 2)], steps: 1);
        var row = Assert.Single(report.Rows);
        var estimate = TrainingMemory.Estimate(net, [256, 256], 2);
        const double MiB = 1 << 20;
        Assert.True(row.MemoryEfficientPath);
        Assert.Equal(Math.Round(estimate.TotalBytes / MiB, 1), row.EstimateMib);
        Assert.Equal(Math.Round(estimate.ActivationBytesPerSample / MiB, 1), row.RawPerSampleMib);
        Assert.Equal(Math.Round((estimate.FixedBytes - TrainingMemory.StepOverheadBytes) / MiB, 1), row.ParameterStateMib);
        // 2 x 64K-voxel samples keep about 2 x 33 MiB of activations: the step's peak is well above nothing
        Assert.InRange(row.RawPerSampleMib, 20, 60);
        Assert.True(row.MeasuredMib > row.RawPerSampleMib, $"measured {row.MeasuredMib} MiB");
        Assert.Equal(Math.Round(row.MeasuredMib / row.EstimateMib, 3), row.MeasuredOverEstimate, 2);
        Assert.True(row.StepSeconds > 0);
    }
}
