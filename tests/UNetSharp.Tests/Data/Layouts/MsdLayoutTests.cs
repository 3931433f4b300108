using UNetSharp.Data.Layouts;
using UNetSharp.Tests.IO;

namespace UNetSharp.Tests.Data.Layouts;

public class MsdLayoutTests
{
    [Fact]
    public void FolderWithoutDatasetJsonLoadsCasesInOrder()
    {
        using var dir = new TempDir();
        LayoutTestData.Msd(dir.Path, 3);
        var dataset = DatasetLayouts.Open(dir.Path);
        Assert.Equal(DatasetLayoutKind.Msd, dataset.Kind);
        Assert.Equal(["c0", "c1", "c2"], dataset.CaseIds);
        var c = dataset.Load("c2");
        Assert.Equal([2, 3, 4], c.Shape);
        Assert.Equal([1.5, 1.0, 0.5], c.Spacing); // pixdim z, y, x
        Assert.Equal(223f, c.Image[23]);
        Assert.Equal(23 % 3, c.Label![23]);
        Assert.Equal(3, dataset.Metadata.Dimensions);
        Assert.False(dataset.Metadata.ClassesDeclared);
    }

    [Fact]
    public void MsdDatasetJsonGivesCasesClassesAndModality()
    {
        using var dir = new TempDir();
        LayoutTestData.Msd(dir.Path, 2);
        File.WriteAllText(dir.File("dataset.json"), """
            { "name": "Test", "modality": { "0": "MRI" }, "labels": { "0": "background", "1": "Anterior", "2": "Posterior" },
              "training": [ { "image": "./imagesTr/c1.nii.gz", "label": "./labelsTr/c1.nii.gz" } ] }
            """);
        var dataset = DatasetLayouts.Open(dir.Path);
        Assert.Equal(["c1"], dataset.CaseIds); // only the listed case
        Assert.Equal(["MRI"], dataset.Metadata.Modalities);
        Assert.Equal("Posterior", dataset.Metadata.Classes[2]);
        Assert.True(dataset.Metadata.ClassesDeclared);
        Assert.Equal(101f, dataset.Load(0).Image[1]);
    }

    [Fact]
    public void NnUNetChannelFilesBecomeChannelsOfOneCase()
    {
        using var dir = new TempDir();
        foreach (string id in new[] { "brain_001", "brain_002" })
        {
            LayoutTestData.Nifti(dir.File($"imagesTr/{id}_0000.nii.gz"), LayoutTestData.Values(24, i => i));
            LayoutTestData.Nifti(dir.File($"imagesTr/{id}_0001.nii.gz"), LayoutTestData.Values(24, i => -i));
            LayoutTestData.Nifti(dir.File($"labelsTr/{id}.nii.gz"), LayoutTestData.Values(24, i => i % 2));
        }
        File.WriteAllText(dir.File("dataset.json"), """
            { "channel_names": { "0": "T1", "1": "FLAIR" }, "labels": { "background": 0, "tumour": 1 }, "numTraining": 2, "file_ending": ".nii.gz" }
            """);
        var dataset = DatasetLayouts.Open(dir.Path);
        Assert.Equal(["brain_001", "brain_002"], dataset.CaseIds);
        var c = dataset.Load(1);
        Assert.Equal(2, c.Channels);
        Assert.Equal(5f, c.Image[5]);
        Assert.Equal(-5f, c.Image[24 + 5]);
        Assert.Equal(["T1", "FLAIR"], dataset.Metadata.Modalities);
        Assert.Equal("tumour", dataset.Metadata.Classes[1]);
    }

    [Theory]
    [InlineData("../outside/x.nii.gz", "leaves the data set folder")]
    [InlineData("./imagesTr/../../x.nii.gz", "leaves the data set folder")]
    [InlineData("/etc/passwd", "is absolute")]
    public void DatasetJsonPathsMayNotEscape(string path, string problem)
    {
        using var dir = new TempDir();
        LayoutTestData.Msd(dir.Path, 1);
        File.WriteAllText(dir.File("dataset.json"), $$"""{ "training": [ { "image": "{{path}}", "label": "./labelsTr/c0.nii.gz" } ] }""");
        var e = Assert.Throws<DataFormatException>(() => DatasetLayouts.Open(dir.Path));
        Assert.Equal(dir.File("dataset.json"), e.Path);
        Assert.Contains(problem, e.Problem);
    }

    [Fact]
    public void BrokenDatasetJsonIsAFormatError()
    {
        using var dir = new TempDir();
        LayoutTestData.Msd(dir.Path, 1);
        File.WriteAllText(dir.File("dataset.json"), "{ \"labels\": ");
        Assert.Contains("invalid JSON", Assert.Throws<DataFormatException>(() => DatasetLayouts.Open(dir.Path)).Problem);
    }

    [Fact]
    public void ShapeMismatchNamesTheLabelFile()
    {
        using var dir = new TempDir();
        LayoutTestData.Msd(dir.Path, 1);
        LayoutTestData.Nifti(dir.File("labelsTr/c0.nii.gz"), new float[30], sizes: [5, 3, 2]);
        var e = Assert.Throws<DataFormatException>(() => DatasetLayouts.Open(dir.Path).Load(0));
        Assert.Equal(dir.File("labelsTr/c0.nii.gz"), e.Path);
        Assert.Equal("label shape [2,3,5] does not match image shape [2,3,4] of c0.nii.gz", e.Problem);
    }

    [Fact]
    public void SpacingMismatchNamesTheLabelFile()
    {
        using var dir = new TempDir();
        LayoutTestData.Msd(dir.Path, 1);
        LayoutTestData.Nifti(dir.File("labelsTr/c0.nii.gz"), new float[24], pixdim: [0.5, 1.0, 3.0]);
        var e = Assert.Throws<DataFormatException>(() => DatasetLayouts.Open(dir.Path).Load(0));
        Assert.Equal(dir.File("labelsTr/c0.nii.gz"), e.Path);
        Assert.Equal("label spacing [3,1,0.5] does not match image spacing [1.5,1,0.5] of c0.nii.gz", e.Problem);
    }

    [Fact]
    public void MissingLabelAndMissingImage()
    {
        using var dir = new TempDir();
        LayoutTestData.Msd(dir.Path, 2);
        File.Delete(dir.File("labelsTr/c0.nii.gz"));
        File.Delete(dir.File("imagesTr/c1.nii.gz"));
        var dataset = DatasetLayouts.Open(dir.Path);
        Assert.Equal(["c0", "c1"], dataset.CaseIds);
        var noLabel = Assert.Throws<DataFormatException>(() => dataset.Load(0));
        Assert.Equal(dir.File("imagesTr/c0.nii.gz"), noLabel.Path);
        Assert.StartsWith("image has no label file", noLabel.Problem);
        var noImage = Assert.Throws<DataFormatException>(() => dataset.Load(1));
        Assert.Equal(dir.File("labelsTr/c1.nii.gz"), noImage.Path);
    }

    [Fact]
    public void ListedButMissingFileIsAFormatError()
    {
        using var dir = new TempDir();
        LayoutTestData.Msd(dir.Path, 1);
        File.WriteAllText(dir.File("dataset.json"), """{ "training": [ { "image": "./imagesTr/c9.nii.gz", "label": "./labelsTr/c9.nii.gz" } ] }""");
        var e = Assert.Throws<DataFormatException>(() => DatasetLayouts.Open(dir.Path).Load(0));
        Assert.Equal(dir.File("imagesTr/c9.nii.gz"), e.Path);
    }
}
