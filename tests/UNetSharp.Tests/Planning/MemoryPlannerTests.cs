using UNetSharp.Data.Layouts;
using UNetSharp.Models;
using UNetSharp.Planning;

namespace UNetSharp.Tests.Planning;

/// <summary>Batch and patch planned within a memory budget (nnU-Net's rule over <see cref="TrainingMemory"/>).</summary>
public sealed class MemoryPlannerTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-memory-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>UNet# depth 2, widths 4,8,16: patches are multiples of 4.</summary>
    static readonly NetworkConfig Net = new() { Architecture = "unet#", Depth = 2, Widths = [4, 8, 16], Cgm = true };

    const long LargeDataSet = 1L << 30;   // voxels: the 5 % cap never binds

    static long Bytes(int[] patch, int batch) => TrainingMemory.Estimate(Net, patch.Select(p => (long)p).ToArray(), batch).TotalBytes;

    [Fact]
    public void HalvingTheBudgetGivesASmallerBatch()
    {
        int[] patch = [512, 512];   // large enough that the activations, not the fixed part, set the budget
        long budget = Bytes(patch, BatchPatchPlanner.MaxBatch2D);
        var (p1, full, memory) = BatchPatchPlanner.Choose(Net, patch, patch, null, null, budget, LargeDataSet);
        Assert.Equal(patch, p1);
        Assert.Equal(8, full);
        Assert.Equal(budget, memory.BatchBytes);
        Assert.True(memory.BudgetGiven);

        var (p2, half, _) = BatchPatchPlanner.Choose(Net, patch, patch, null, null, budget / 2, LargeDataSet);
        Assert.Equal(patch, p2);
        // the largest batch b with fixed + b x per-sample <= budget / 2 (every batch is on the recompute path: 512² ≥ 64K voxels)
        var one = TrainingMemory.Estimate(Net, [512, 512], 1);
        int expected = (int)((budget / 2 - one.FixedBytes) / one.BytesPerSample);
        Assert.InRange(expected, 2, 7);
        Assert.Equal(expected, half);
        Assert.True(Bytes(patch, half) <= budget / 2 && Bytes(patch, half + 1) > budget / 2);
    }

    [Fact]
    public void TheBatchIsCappedByTheDimensionsCapAndFivePercentOfTheDataSet()
    {
        int[] patch = [64, 64];
        Assert.Equal(8, BatchPatchPlanner.Choose(Net, patch, patch, null, null, 1L << 40, LargeDataSet).Batch);
        // 5 % of 300,000 voxels = 15,000 = 3.66 patches of 4096 → 4
        Assert.Equal(4, BatchPatchPlanner.Choose(Net, patch, patch, null, null, 1L << 40, 300_000).Batch);
        // never below nnU-Net's minimum of 2
        Assert.Equal(2, BatchPatchPlanner.Choose(Net, patch, patch, null, null, 1L << 40, 4096).Batch);
        var net3d = Net with { Dimensions = 3 };
        Assert.Equal(BatchPatchPlanner.MaxBatch3D, BatchPatchPlanner.Choose(net3d, [16, 16, 16], [16, 16, 16], null, null, 1L << 40, LargeDataSet).Batch);
    }

    [Fact]
    public void ATightBudgetShrinksThePatchAlongTheLargestRatioAxisInMultiples()
    {
        int[] median = [32, 50], start = [32, 52];   // ratios 1.0 and 1.04: axis 1 first
        long budget = Bytes([32, 48], 2);
        var (patch, batch, memory) = BatchPatchPlanner.Choose(Net, median, start, null, null, budget, LargeDataSet);
        Assert.Equal(new[] { 32, 48 }, patch);
        Assert.Equal(2, batch);
        Assert.Contains("shrunk from 32x52", memory.Note);

        // tighter: after 48 (ratio 0.96) the other axis (1.0) loses a step, then the ratios alternate
        var (smaller, _, _) = BatchPatchPlanner.Choose(Net, median, start, null, null, Bytes([28, 48], 2), LargeDataSet);
        Assert.Equal(new[] { 28, 48 }, smaller);
        Assert.All(smaller, p => Assert.Equal(0, p % 4));

        // anisotropic strides: axis 0 pooled once (multiple 2), axis 1 twice (multiple 4)
        var aniso = Net with { Strides = [[1, 2], [2, 2]] };
        long tight = TrainingMemory.Estimate(aniso, [30, 48], 2).TotalBytes;
        var (p3, _, _) = BatchPatchPlanner.Choose(aniso, [30, 48], [30, 48], null, null, tight - 1, LargeDataSet);
        Assert.Equal(new[] { 28, 48 }, p3);   // equal ratios: the first axis, by its own multiple 2
    }

    [Fact]
    public void ABudgetTooSmallForTheSmallestPatchIsRefusedNamingIt()
    {
        var e = Assert.Throws<ConfigurationException>(() => BatchPatchPlanner.Choose(Net, [64, 64], [64, 64], null, null, 1 << 20, LargeDataSet));
        Assert.Contains("memory budget 1.00 MiB", e.Message);
        Assert.Contains("too small", e.Message);
        Assert.Contains("4x4", e.Message);   // shrunk to one multiple per axis first
        Assert.DoesNotContain("\n", e.Message);

        // batch 1 at the smallest patch still fits: the plan takes it and says so
        long one = Bytes([4, 4], 1);
        var (patch, batch, memory) = BatchPatchPlanner.Choose(Net, [64, 64], [64, 64], null, null, one, LargeDataSet);
        Assert.Equal(new[] { 4, 4 }, patch);
        Assert.Equal(1, batch);
        Assert.Contains("batch 1", memory.Note);
    }

    [Fact]
    public void GivenBatchOrPatchOverAGivenBudgetIsRefusedAndOverTheDefaultOnlyWarned()
    {
        int[] patch = [64, 64];
        long budget = Bytes(patch, 2);
        var e = Assert.Throws<ConfigurationException>(() => BatchPatchPlanner.Choose(Net, patch, patch, patch, 8, budget, LargeDataSet));
        Assert.Contains("batch size 8", e.Message);
        Assert.Contains("patch size 64x64", e.Message);
        Assert.Contains("memory budget", e.Message);

        // a given batch with a planned patch: the patch shrinks to fit the batch
        var (shrunk, eight, _) = BatchPatchPlanner.Choose(Net, patch, patch, null, 8, budget, LargeDataSet);
        Assert.Equal(8, eight);
        Assert.True(Bytes(shrunk, 8) <= budget && shrunk.Aggregate(1, (a, b) => a * b) < 64 * 64);

        // a given patch too large for batch 1 under a given budget
        var big = Assert.Throws<ConfigurationException>(() => BatchPatchPlanner.Choose(Net, patch, patch, [512, 512], null, budget, LargeDataSet));
        Assert.Contains("patch size 512x512", big.Message);

        // the default budget: kept with a warning
        var (kept, batch, memory) = BatchPatchPlanner.Choose(Net, patch, patch, [2048, 2048], 64, null, LargeDataSet);
        Assert.Equal(new[] { 2048, 2048 }, kept);
        Assert.Equal(64, batch);
        Assert.False(memory.BudgetGiven);
        Assert.Equal(PlanOptions.DefaultMemoryBudget, memory.BudgetBytes);
        Assert.Contains("warning: batch 64 at patch 2048x2048 needs", memory.Note);
        Assert.True(memory.BatchBytes > PlanOptions.DefaultMemoryBudget);
    }

    [Fact]
    public void PlanJsonRecordsTheBudgetTheEstimateAndTheNoteAndReadsThemBack()
    {
        string data = UNetSharp.Tests.Pipeline.RunTestData.Cells(Path.Combine(root, "cells"), images: 6, size: 32);
        var plan = ExperimentPlanner.Plan(DatasetLayouts.Open(data, LayoutOptions.Default), new PlanOptions { Depth = 2, Widths = [4, 8, 16], MemoryBudget = 3L << 30 });
        var memory = plan.Memory!;
        Assert.Equal(3L << 30, memory.BudgetBytes);
        Assert.True(memory.BudgetGiven);
        Assert.Equal(new[] { 32, 32 }, plan.PatchSize);
        Assert.Equal(2, plan.BatchSize);   // 6 images of 32x32: 5 % of the voxels is under one patch, so nnU-Net's minimum 2
        var estimate = TrainingMemory.Estimate(plan.Network, [32, 32], 2);
        Assert.Equal(estimate.TotalBytes, memory.BatchBytes);
        Assert.Equal(estimate.BytesPerSample, memory.BytesPerSample);
        Assert.Equal(estimate.FixedBytes, memory.FixedBytes);
        Assert.Contains("batch 2: the largest within the memory budget 3.00 GiB", memory.Note);

        string run = Path.Combine(root, "run");
        Directory.CreateDirectory(run);
        plan.Save(run);
        string json = File.ReadAllText(Path.Combine(run, ExperimentPlan.FileName));
        Assert.Contains("\"budget_bytes\": 3221225472", json);
        Assert.Contains("\"bytes_per_sample\"", json);
        Assert.Equal(memory, ExperimentPlan.Load(run).Memory);
    }

    [Fact]
    public void AnExplicitBatchOverAnExplicitBudgetIsRefusedByThePlanner()
    {
        string data = UNetSharp.Tests.Pipeline.RunTestData.Cells(Path.Combine(root, "cells2"), images: 4, size: 32);
        var options = new PlanOptions { Depth = 2, Widths = [4, 8, 16], BatchSize = 20000, PatchSize = [32, 32], MemoryBudget = 1L << 30 };
        var e = Assert.Throws<ConfigurationException>(() => ExperimentPlanner.Plan(DatasetLayouts.Open(data, LayoutOptions.Default), options));
        Assert.Contains("batch size 20000", e.Message);
        Assert.Contains("memory budget 1.00 GiB", e.Message);
        // without the budget the same settings plan, with a warning
        var plan = ExperimentPlanner.Plan(DatasetLayouts.Open(data, LayoutOptions.Default), options with { MemoryBudget = null });
        Assert.Equal(20000, plan.BatchSize);
        Assert.StartsWith("patch 32x32 given; batch 20000 given; warning:", plan.Memory!.Note);
    }
}
