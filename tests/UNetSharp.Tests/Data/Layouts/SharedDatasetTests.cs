using UNetSharp.Data.Layouts;

namespace UNetSharp.Tests.Data.Layouts;

/// <summary>The four shared data sets are detected, load completely and check clean.</summary>
[Trait("Category", "Slow")]
public class SharedDatasetTests
{
    [SkippableFact]
    public void HippocampusLoadsAll195WithLabels012()
    {
        string root = SharedData.Require("msd-hippocampus");
        var dataset = DatasetLayouts.Open(root);
        Assert.Equal(DatasetLayoutKind.Msd, dataset.Kind);
        Assert.Equal(195, dataset.Count);
        Assert.Equal("hippocampus_001", dataset.CaseIds[0]);

        var summary = DatasetCheck.Run(dataset);
        Assert.Equal(195, summary.Cases);
        Assert.Equal(195, summary.LoadedCases);
        Assert.Empty(summary.Problems);
        Assert.Equal([3], summary.Dimensions);
        Assert.Equal([1], summary.Channels);
        Assert.Equal(new[] { 0, 1, 2 }, summary.ClassVoxels.Keys);
        Assert.All(summary.ClassVoxels.Values, v => Assert.True(v > 10000));
        Assert.Equal([1.0, 1.0, 1.0], summary.Spacing!.Median);
        Assert.InRange(summary.Shape!.Median[1], 40, 60); // ~35x50x35 voxels per the README
        Assert.Equal(0, summary.NanVoxels);
        Assert.Contains("\"cases\": 195", summary.ToJson());
    }

    [SkippableFact]
    public void SpleenCropLoads()
    {
        string root = SharedData.Require("msd-spleen-crop");
        var dataset = DatasetLayouts.Open(root);
        var c = dataset.Load(0);
        Assert.Equal("spleen2", c.Id);
        Assert.Equal([26, 166, 164], c.Shape);
        Assert.Equal(5.0, c.Spacing[0], 6);
        Assert.Equal(new[] { 0, 1 }, c.Label!.Distinct().Order().ToArray());
        Assert.True(c.Image.Min() < -500, "CT in HU: air and fat are negative");

        var summary = DatasetCheck.Run(dataset);
        Assert.Equal(1, summary.Cases);
        // one case loads clean but cannot train (nothing to validate on): said by data check, not found by train
        Assert.Equal("only 1 case: training needs at least 2 (one to train on, one to validate on)", Assert.Single(summary.Problems).Problem);
    }

    [SkippableFact]
    public void IsbiLoads24SlicesWith255AsForeground()
    {
        string root = SharedData.Require("isbi2012-em");
        var dataset = DatasetLayouts.Open(root);
        Assert.Equal(DatasetLayoutKind.PairedFolders, dataset.Kind);
        var summary = DatasetCheck.Run(dataset);
        Assert.Equal(24, summary.Cases);
        Assert.Equal(24, summary.LoadedCases);
        Assert.Empty(summary.Problems);
        Assert.Equal([2], summary.Dimensions);
        Assert.Equal([1], summary.Channels);
        Assert.Equal([512.0, 512.0], summary.Shape!.Max);
        Assert.Equal(new[] { 0, 1 }, summary.ClassVoxels.Keys);
        Assert.Equal(24L * 512 * 512, summary.ClassVoxels.Values.Sum());
        // cell interior (255) is the larger part of an EM slice; membranes (0) the smaller
        Assert.True(summary.ClassVoxels[1] > summary.ClassVoxels[0]);

        var membranes = DatasetLayouts.Open(root, new LayoutOptions { BinaryForeground = 0 }).Load(0);
        var interior = dataset.Load(0);
        Assert.All(Enumerable.Range(0, 1000), i => Assert.Equal(1 - interior.Label![i], membranes.Label![i]));
    }

    [SkippableFact]
    public void Dsb2018Loads200CasesWithInstances()
    {
        string root = SharedData.Require("dsb2018");
        var dataset = (Dsb2018Dataset)DatasetLayouts.Open(root);
        Assert.Equal(200, dataset.Count);

        var summary = DatasetCheck.Run(dataset);
        Assert.Equal(200, summary.LoadedCases);
        Assert.Empty(summary.Problems);
        Assert.Equal([3], summary.Channels); // RGBA files, alpha dropped
        Assert.Equal(new[] { 0, 1 }, summary.ClassVoxels.Keys);
        Assert.Equal(256, summary.Shape!.Min[0]);
        Assert.Equal([1024.0, 1024.0], summary.Shape.Max);

        int first = dataset.CaseIds.ToList().IndexOf("00071198d059ba7f5914a526d124d28e6d010c92466da21d4a04cd5413362552");
        var (instances, shape, count, _) = dataset.LoadInstances(first);
        Assert.Equal(27, count);
        Assert.Equal([256, 256], shape);
        Assert.Equal(Enumerable.Range(0, 28), instances.Distinct().Order());
        var semantic = dataset.Load(first).Label!;
        Assert.Equal(instances.Count(v => v > 0), semantic.Count(v => v == 1));

        var gray = DatasetLayouts.Open(root, new LayoutOptions { Gray = true }).Load(first);
        Assert.Equal(1, gray.Channels);
    }
}
