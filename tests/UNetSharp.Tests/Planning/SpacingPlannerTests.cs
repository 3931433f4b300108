using UNetSharp.Data.Layouts;
using UNetSharp.IO;
using UNetSharp.Planning;
using UNetSharp.Tests.Inference.Jobs;

namespace UNetSharp.Tests.Planning;

/// <summary>nnU-Net's spacing rules: target spacing, strides that wait for a coarse axis, per-axis patch multiples, clear errors.</summary>
public sealed class SpacingPlannerTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-spacing-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void TargetSpacingIsTheMedianForIsotropicData()
    {
        var target = SpacingPlanner.TargetSpacing(new[]
        {
            ("a.nii", new[] { 1.0, 1.0, 1.0 }), ("b.nii", new[] { 1.2, 0.9, 1.0 }), ("c.nii", new[] { 1.4, 0.8, 1.1 }),
        });
        Assert.Equal(new[] { 1.2, 0.9, 1.0 }, target);
    }

    [Fact]
    public void StronglyAnisotropicDataTakeThe10thPercentileOnTheCoarseAxis()
    {
        // Slice thickness 2.5, 3, 5, 5, 5 mm; in-plane 0.8 mm. Median 5 ≥ 3 x 0.8, so the slice axis gets the
        // 10th percentile: rank 0.1 x 4 = 0.4 → 2.5 + 0.4 x (3 − 2.5) = 2.7 mm (numpy's linear percentile).
        var cases = new[] { 2.5, 3, 5, 5, 5 }.Select((z, i) => ($"case{i}.nii.gz", new[] { z, 0.8, 0.8 })).ToList();
        var target = SpacingPlanner.TargetSpacing(cases);
        Assert.Equal(2.7, target[0], 12);
        Assert.Equal(0.8, target[1]);
        Assert.Equal(0.8, target[2]);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(-1.0)]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    public void ABadSpacingNamesTheFile(double bad)
    {
        var e = Assert.Throws<DataFormatException>(() => SpacingPlanner.TargetSpacing(new[]
        {
            ("good.nii.gz", new[] { 1.0, 1.0, 1.0 }), ("broken_case.nii.gz", new[] { 1.0, bad, 1.0 }),
        }));
        Assert.Contains("broken_case.nii.gz", e.Message);
        Assert.Contains("spacing", e.Message);
    }

    [Fact]
    public void ThickSlicesWaitUntilTheInPlaneAxesCatchUp()
    {
        // 5 x 0.8 x 0.8 mm: in-plane 0.8 → 1.6 → 3.2 while 5 ≥ 2 x the finest; then 5 < 2 x 3.2, so all three pool.
        var strides = SpacingPlanner.Strides(new[] { 5, 0.8, 0.8 }, new[] { 26, 128, 128 }, 4, "spleen");
        Assert.Equal(new[] { new[] { 1, 2, 2 }, new[] { 1, 2, 2 }, new[] { 2, 2, 2 }, new[] { 2, 2, 2 } }, strides);
        Assert.All(SpacingPlanner.Strides(new[] { 1.0, 1.0, 1.0 }, new[] { 64, 64, 64 }, 3, "iso"), s => Assert.Equal(new[] { 2, 2, 2 }, s));
        // A short axis stops being pooled once its feature map would fall under 4 voxels (z: 16 → 8 → 4, then kept).
        var shortAxis = SpacingPlanner.Strides(new[] { 1.0, 1.0, 1.0 }, new[] { 16, 128, 128 }, 4, "short");
        Assert.Equal(new[] { new[] { 2, 2, 2 }, new[] { 2, 2, 2 }, new[] { 1, 2, 2 }, new[] { 1, 2, 2 } }, shortAxis);
    }

    [Fact]
    public void AxesThatCannotBePooledToTheDepthGiveAClearError()
    {
        var e = Assert.Throws<DataFormatException>(() => SpacingPlanner.Strides(new[] { 1.0, 1.0, 1.0 }, new[] { 4, 4, 4 }, 3, "/data/tiny"));
        Assert.Contains("/data/tiny", e.Message);
        Assert.Contains("cannot be planned for depth 3", e.Message);
    }

    [Fact]
    public void PatchSizeUsesPerAxisMultiplesWithinTheVoxelBudget()
    {
        Assert.Equal(new[] { 26, 128, 128 }, SpacingPlanner.PatchSize(new[] { 26, 164, 166 }, new long[] { 2, 8, 8 }, 128, 96L * 96 * 96));
        Assert.Equal(new[] { 12, 24, 16 }, SpacingPlanner.PatchSize(new[] { 11, 21, 13 }, new long[] { 2, 8, 8 }, 128, long.MaxValue));
        // Over budget: the largest axis loses one multiple at a time (128³ → 96³ budget).
        var shrunk = SpacingPlanner.PatchSize(new[] { 200, 200, 200 }, new long[] { 8, 8, 8 }, 128, 96L * 96 * 96);
        Assert.True(shrunk.Aggregate(1L, (a, b) => a * b) <= 96L * 96 * 96);
        Assert.All(shrunk, p => Assert.Equal(0, p % 8));
    }

    [Fact]
    public void ACtTooLargeForTheCpuIsPlannedAtACoarserInPlaneSpacingAndSaysWhy()
    {
        // 512 x 512 x 200 at 0.78 x 0.78 x 2.5 mm = 52.4 M voxels > 256³: in-plane doubles once (256 x 256 x 200 = 13.1 M).
        var (spacing, reason) = SpacingPlanner.FitCaseBudget([2.5, 0.78, 0.78], [200, 512, 512], [2.5, 0.78, 0.78]);
        Assert.Equal(new[] { 2.5, 1.56, 1.56 }, spacing);
        Assert.Contains("3d_lowres", reason);
        Assert.Contains("52,428,800", reason);
        var (same, none) = SpacingPlanner.FitCaseBudget([5, 0.8, 0.8], [26, 166, 164], [5, 0.8, 0.8]);
        Assert.Equal(new[] { 5, 0.8, 0.8 }, same);
        Assert.Null(none);
        // Once the axes are equal, all of them coarsen together.
        Assert.Equal(new[] { 2.0, 2.0, 2.0 }, SpacingPlanner.FitCaseBudget([1.0, 1.0, 1.0], [64, 64, 64], [1.0, 1.0, 1.0], maxVoxels: 40000).Spacing);
    }

    [Fact]
    public void TheCtBenchmarkRunsThePlansAnswerAndReturnsLabelsOnTheInputGrid()
    {
        var result = UNetSharp.Experiments.Benchmarks.CtVolumeBenchmark.Run([20, 64, 64], [2.5, 0.78, 0.78], [4, 8], overlap: 0.25, measureRoofline: false, maxCaseVoxels: 20000);
        Assert.Equal(new[] { 2.5, 3.12, 3.12 }, result.TargetSpacing);
        Assert.Equal(new[] { 20, 16, 16 }, result.PlannedShape);
        Assert.NotNull(result.SpacingNote);
        Assert.True(result.Tiles >= 1 && result.Gflop > 0 && result.PeakRssMb > 0);
        Assert.Null(result.TimeOverRoofline);
    }

    [Fact]
    public void TheCtBenchmarkWithATileBudgetRunsThatManyTilesAndCountsTheFlopsOfAll()
    {
        var whole = UNetSharp.Experiments.Benchmarks.CtVolumeBenchmark.Run([16, 160, 160], [2.5, 0.78, 0.78], [4, 8], overlap: 0.5, measureRoofline: false);
        var sampled = UNetSharp.Experiments.Benchmarks.CtVolumeBenchmark.Run([16, 160, 160], [2.5, 0.78, 0.78], [4, 8], overlap: 0.5, measureRoofline: false, maxTiles: 1);
        Assert.True(whole.Tiles > 1, $"the grid should have several tiles, has {whole.Tiles}");
        Assert.Equal(whole.Tiles, whole.TilesRun);
        Assert.Null(whole.ExtrapolatedSeconds);
        Assert.Equal(whole.Tiles, sampled.Tiles);
        Assert.Equal(1, sampled.TilesRun);
        Assert.Equal(whole.Gflop, sampled.Gflop);
        // The result rounds seconds per tile to 0.01 s and the extrapolated time to 0.1 s: compare within those roundings.
        Assert.True(sampled.SecondsPerTile > 0, $"seconds per tile {sampled.SecondsPerTile}");
        Assert.True(sampled.ExtrapolatedSeconds >= (sampled.SecondsPerTile - 0.005) * sampled.Tiles - 0.05,
            $"extrapolated {sampled.ExtrapolatedSeconds} s for {sampled.Tiles} tiles at {sampled.SecondsPerTile} s each");
    }

    [Fact]
    public void TheCtBenchmarkIn2DSlicesAcrossZAndExtrapolatesFromTheSlicesRun()
    {
        var result = UNetSharp.Experiments.Benchmarks.CtSliceBenchmark.Run([6, 64, 48], [2.5, 0.78, 0.78], widths: [4, 8, 16], overlap: 0.5, maxSlices: 2, measureRoofline: false);
        Assert.Equal(0, result.SliceAxis);
        Assert.Equal(new[] { 64, 48 }, result.SliceShape);
        Assert.Equal(new[] { 64, 48 }, result.Tile);
        Assert.Equal(1, result.TilesPerSlice);
        Assert.Equal((6, 2), (result.Slices, result.SlicesRun));
        Assert.Equal(result.SecondsPerSlice * 6, result.ExtrapolatedSeconds, 0.1);
        Assert.True(result.Gflop > 0 && result.PeakRssMb > 0);
    }

    /// <summary>A data set of thick-slice volumes (0.8 x 0.8 x 4 mm, 12 x 40 x 40) planned end to end.</summary>
    [Fact]
    public void ThePlanOfAThickSliceDataSetHasTargetSpacingStridesAndPatchInPlanJson()
    {
        string data = ThickSliceDataSet("thick", zSpacing: 4);
        var plan = ExperimentPlanner.Plan(DatasetLayouts.Open(data, LayoutOptions.Default), new PlanOptions { Depth = 3 });
        Assert.Equal(new[] { 4.0, 0.8, 0.8 }, plan.TargetSpacing!, (a, b) => Math.Abs(a - b) < 1e-6);   // pixdim is float32
        // 4 / 0.8 = 5: z waits for two levels (0.8 → 1.6 → 3.2), then 4 < 6.4 pools too.
        Assert.Equal(new[] { new[] { 1, 2, 2 }, new[] { 1, 2, 2 }, new[] { 2, 2, 2 } }, plan.Network.Strides!.Select(s => s.ToArray()).ToArray());
        Assert.Equal(new[] { 12, 40, 40 }, plan.PatchSize);

        plan.Save(root);
        string json = File.ReadAllText(Path.Combine(root, ExperimentPlan.FileName));
        var back = ExperimentPlan.Load(root);
        Assert.Equal(plan.TargetSpacing, back.TargetSpacing);
        Assert.Equal(new long[] { 2, 8, 8 }, back.Network.SizeMultiples);
        Assert.Contains("strides", json);
    }

    [Fact]
    public void PlanningAVolumeWithZeroSpacingNamesItsFile()
    {
        string data = ThickSliceDataSet("zero", zSpacing: 0);
        var e = Assert.Throws<DataFormatException>(() => ExperimentPlanner.Plan(DatasetLayouts.Open(data, LayoutOptions.Default), new PlanOptions { Depth = 3 }));
        Assert.Contains("vol1.nii.gz", e.Message);
    }

    [Fact]
    public void Dims2OnVolumesPlansA2DNetworkOnSlicesAcrossTheCoarsestAxis()
    {
        string data = ThickSliceDataSet("slices", zSpacing: 4);
        var plan = ExperimentPlanner.Plan(DatasetLayouts.Open(data, LayoutOptions.Default), new PlanOptions { Dimensions = 2, Depth = 2 });
        Assert.Equal(0, plan.SliceAxis);   // z: 4 mm against 0.8 in-plane
        Assert.Equal(2, plan.Network.Dimensions);
        Assert.Equal(new[] { 0.8, 0.8 }, plan.TargetSpacing!, (a, b) => Math.Abs(a - b) < 1e-6);
        Assert.Equal(new[] { 40, 40 }, plan.PatchSize);
        // nnU-Net's batch cap: 5 % of the data set's 2 x 12 x 40 x 40 voxels is 1.2 patches of 40x40, so its minimum of 2
        Assert.Equal(2, plan.BatchSize);
        Assert.Contains("5 % of the data set's voxels", plan.Memory!.Note);
        Assert.Contains("2D configuration", plan.SpacingNote);
        plan.Save(root);
        Assert.Contains("\"slice_axis\": 0", File.ReadAllText(Path.Combine(root, ExperimentPlan.FileName)));
        Assert.Equal(0, ExperimentPlan.Load(root).SliceAxis);

        // thick "slices" along x (the fastest NIfTI axis, index 2 in [z, y, x]): sliced sagittally, in-plane [z, y]
        string sagittal = ThickSliceDataSet("sagittal", zSpacing: 0.8, xSpacing: 4, firstZ: 0.8);
        var across = ExperimentPlanner.Plan(DatasetLayouts.Open(sagittal, LayoutOptions.Default), new PlanOptions { Dimensions = 2, Depth = 2 });
        Assert.Equal(2, across.SliceAxis);
        Assert.Equal(new[] { 12, 40 }, across.PatchSize);   // [z, y] of 12 x 40 slices, multiples of 4
    }

    [Fact]
    public void Dims3OnImagesIsRefusedAndA2DPlanWhoseAxesCannotBePooledNamesTheDataSet()
    {
        string images = UNetSharp.Tests.Pipeline.RunTestData.Cells(Path.Combine(root, "cells"), images: 2);
        var e = Assert.Throws<ConfigurationException>(() => ExperimentPlanner.Plan(DatasetLayouts.Open(images, LayoutOptions.Default), new PlanOptions { Dimensions = 3 }));
        Assert.Contains("2D", e.Message);
        Assert.Contains(images, e.Message);

        string data = ThickSliceDataSet("deep", zSpacing: 4);   // 40 x 40 slices cannot be pooled 6 times
        var deep = Assert.Throws<DataFormatException>(() => ExperimentPlanner.Plan(DatasetLayouts.Open(data, LayoutOptions.Default), new PlanOptions { Dimensions = 2, Depth = 6 }));
        Assert.Contains(data, deep.Message);
        Assert.Contains("cannot be planned for depth 6", deep.Message);

        string zero = ThickSliceDataSet("zero2d", zSpacing: 0);
        var bad = Assert.Throws<DataFormatException>(() => ExperimentPlanner.Plan(DatasetLayouts.Open(zero, LayoutOptions.Default), new PlanOptions { Dimensions = 2, Depth = 2 }));
        Assert.Contains("vol1.nii.gz", bad.Message);
    }

    /// <summary>Two volumes of 12 x 40 x 40 voxels; the second has z spacing <paramref name="zSpacing"/>, the first <paramref name="firstZ"/>.</summary>
    string ThickSliceDataSet(string name, double zSpacing, double xSpacing = 0.8, double firstZ = 4)
    {
        string dir = Path.Combine(root, name);
        Directory.CreateDirectory(Path.Combine(dir, "imagesTr"));
        Directory.CreateDirectory(Path.Combine(dir, "labelsTr"));
        for (int i = 0; i < 2; i++)
        {
            var header = PredictionTestFiles.ObliqueHeader(40, 40, 12);
            header.PixDim[1] = xSpacing; header.PixDim[2] = 0.8; header.PixDim[3] = i == 1 ? zSpacing : firstZ;
            var image = PredictionTestFiles.Ball(40, 40, 12, seed: i);
            NiftiFile.Write(Path.Combine(dir, "imagesTr", $"vol{i}.nii.gz"), new NiftiImage(header, new byte[4], image));
            NiftiFile.Write(Path.Combine(dir, "labelsTr", $"vol{i}.nii.gz"), NiftiImage.FromLabels(image.Select(v => v > 250 ? 1 : 0).ToArray(), header));
        }
        return dir;
    }
}
