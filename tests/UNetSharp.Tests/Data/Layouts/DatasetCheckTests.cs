using System.Text.Json;
using UNetSharp.Data.Layouts;
using UNetSharp.IO;
using UNetSharp.Tests.IO;

namespace UNetSharp.Tests.Data.Layouts;

public class DatasetCheckTests
{
    [Fact]
    public void CleanDataSetSummary()
    {
        using var dir = new TempDir();
        LayoutTestData.Msd(dir.Path, 3);
        var summary = DatasetCheck.Run(dir.Path);
        Assert.True(summary.Ok);
        Assert.Equal(3, summary.Cases);
        Assert.Equal(new Dictionary<int, long> { [0] = 24, [1] = 24, [2] = 24 }, summary.ClassVoxels);
        Assert.Equal(new IntensityStats(0, 223, (11.5 + 111.5 + 211.5) / 3), summary.Intensity);
        Assert.Equal([2.0, 3.0, 4.0], summary.Shape!.Median);

        using var json = JsonDocument.Parse(summary.ToJson());
        Assert.Equal(3, json.RootElement.GetProperty("cases").GetInt32());
        Assert.Equal(24, json.RootElement.GetProperty("classVoxels").GetProperty("2").GetInt64());
        Assert.True(json.RootElement.GetProperty("ok").GetBoolean());
    }

    [Fact]
    public void ProblemsAreReportedPerCase()
    {
        using var dir = new TempDir();
        LayoutTestData.Msd(dir.Path, 5);
        File.WriteAllText(dir.File("dataset.json"), """{ "labels": { "0": "background", "1": "a" } }""");
        File.Delete(dir.File("labelsTr/c1.nii.gz"));                                                   // missing pair
        LayoutTestData.Nifti(dir.File("imagesTr/c2.nii.gz"), LayoutTestData.Values(24, i => i < 2 ? float.NaN : i == 2 ? float.PositiveInfinity : 1));
        LayoutTestData.Nifti(dir.File("labelsTr/c3.nii.gz"), new float[24], pixdim: [9, 9, 9]);       // spacing mismatch
        File.WriteAllBytes(dir.File("imagesTr/c4.nii.gz"), File.ReadAllBytes(dir.File("imagesTr/c0.nii.gz"))[..40]); // truncated gzip

        var summary = DatasetCheck.Run(dir.Path);
        Assert.Equal(5, summary.Cases);
        Assert.Equal(2, summary.LoadedCases); // c0 and c2; c1, c3, c4 fail to load
        Assert.Equal(2, summary.NanVoxels);
        Assert.Equal(1, summary.InfiniteVoxels);
        var byCase = summary.Problems.GroupBy(p => p.Case).ToDictionary(g => g.Key, g => g.Select(p => p.Problem).ToList());
        Assert.Equal(["c0", "c1", "c2", "c3", "c4"], byCase.Keys.Order());
        Assert.Equal($"{dir.File("labelsTr/c0.nii.gz")}: label value 2 is not declared (declared: 0, 1)", byCase["c0"].Single());
        Assert.Contains("image has no label file", byCase["c1"].Single());
        Assert.Contains($"{dir.File("imagesTr/c2.nii.gz")}: 2 NaN and 1 infinite intensity values", byCase["c2"]);
        Assert.Contains("label spacing", byCase["c3"].Single());
        Assert.Contains("c4.nii.gz: ", byCase["c4"].Single());
        Assert.False(summary.Ok);
        Assert.Contains("\"cases\": 5", summary.ToJson());
        Assert.Contains("c3", summary.ToText());
    }
}
