using UNetSharp.Data.Layouts;
using UNetSharp.IO;
using UNetSharp.Tests.IO;

namespace UNetSharp.Tests.Data.Layouts;

public class PairedAndDsbLayoutTests
{
    [Fact]
    public void PairedBinaryLabelsMapToClassesWithSelectableForeground()
    {
        using var dir = new TempDir();
        LayoutTestData.Paired(dir.Path, 2, foreground: 6);
        var dataset = DatasetLayouts.Open(dir.Path);
        Assert.Equal(DatasetLayoutKind.PairedFolders, dataset.Kind);
        var c = dataset.Load("s1");
        Assert.Equal([4, 5], c.Shape);
        Assert.Equal(1, c.Channels);
        Assert.Equal(191f, c.Image[19]);
        Assert.Equal(6, c.Label!.Sum());

        var inverted = DatasetLayouts.Open(dir.Path, new LayoutOptions { BinaryForeground = 0 }).Load("s1");
        Assert.Equal(14, inverted.Label!.Sum());
    }

    [Fact]
    public void PairedClassIndexLabelsAreKept()
    {
        using var dir = new TempDir();
        LayoutTestData.Paired(dir.Path, 1);
        PngFile.WriteLabels(dir.File("labels/s0.png"), Enumerable.Range(0, 20).Select(i => i % 4).ToArray(), 4, 5);
        Assert.Equal(3, DatasetLayouts.Open(dir.Path).Load(0).Label![3]);

        PngFile.WriteLabels(dir.File("labels/s0.png"), Enumerable.Range(0, 20).Select(i => i == 0 ? 255 : i % 4).ToArray(), 4, 5);
        Assert.Contains("mix 255", Assert.Throws<DataFormatException>(() => DatasetLayouts.Open(dir.Path).Load(0)).Problem);
    }

    [Fact]
    public void PairedMissingLabelAndSizeMismatch()
    {
        using var dir = new TempDir();
        LayoutTestData.Paired(dir.Path, 3);
        File.Delete(dir.File("labels/s1.png"));
        PngFile.WriteLabels(dir.File("labels/s2.png"), new int[6], 2, 3);
        var dataset = DatasetLayouts.Open(dir.Path);

        var missing = Assert.Throws<DataFormatException>(() => dataset.Load("s1"));
        Assert.Equal(dir.File("images/s1.png"), missing.Path);
        Assert.StartsWith("image has no label file 's1.*'", missing.Problem);

        var mismatch = Assert.Throws<DataFormatException>(() => dataset.Load("s2"));
        Assert.Equal(dir.File("labels/s2.png"), mismatch.Path);
        Assert.Equal("label shape [2,3] does not match image shape [4,5] of s2.png", mismatch.Problem);
    }

    /// <summary>Two cases; case "b" is RGBA with 3 nuclei, case "a" gray with 1.</summary>
    static void Dsb(string root)
    {
        void Mask(string id, string name, Func<int, bool> inside) =>
            PngFile.WriteLabels(Path.Combine(root, id, "masks", name + ".png"), Enumerable.Range(0, 12).Select(i => inside(i) ? 255 : 0).ToArray(), 3, 4);
        PngFile.Write(Path.Combine(root, "b", "images", "b.png"), new RasterImage(LayoutTestData.Values(48, i => i < 36 ? i : 255), 4, [3, 4], 8));
        Mask("b", "m1", i => i < 2);
        Mask("b", "m2", i => i is 5 or 6);
        Mask("b", "m3", i => i is 6 or 11); // overlaps m2 at pixel 6
        PngFile.Write(Path.Combine(root, "a", "images", "a.png"), new RasterImage(LayoutTestData.Values(12, i => 7 * i), 1, [3, 4], 8));
        Mask("a", "only", i => i == 0);
    }

    [Fact]
    public void DsbGivesSemanticAndInstanceLabels()
    {
        using var dir = new TempDir();
        Dsb(dir.Path);
        var dataset = (Dsb2018Dataset)DatasetLayouts.Open(dir.Path);
        Assert.Equal(["a", "b"], dataset.CaseIds);

        var (instances, shape, count, overlap) = dataset.LoadInstances(1);
        Assert.Equal([3, 4], shape);
        Assert.Equal(3, count);
        Assert.Equal(1, overlap);
        Assert.Equal(new[] { 1, 1, 0, 0, 0, 2, 3, 0, 0, 0, 0, 3 }, instances);

        var b = dataset.Load(1);
        Assert.Equal(3, b.Channels); // alpha dropped
        Assert.Equal(new[] { 1, 1, 0, 0, 0, 1, 1, 0, 0, 0, 0, 1 }, b.Label);
        Assert.Equal(12f, b.Image[12]); // first green value

        var a = dataset.Load(0);
        Assert.Equal(3, a.Channels); // gray replicated so every case has 3 channels
        Assert.Equal(a.Image[..12], a.Image[24..]);

        var gray = DatasetLayouts.Open(dir.Path, new LayoutOptions { Gray = true }).Load(1);
        Assert.Equal(1, gray.Channels);
        Assert.Equal(0.299f * 1 + 0.587f * 13 + 0.114f * 25, gray.Image[1], 3);
    }

    [Fact]
    public void DsbMaskOfWrongSizeNamesTheMask()
    {
        using var dir = new TempDir();
        Dsb(dir.Path);
        PngFile.WriteLabels(dir.File("a/masks/only.png"), new int[4], 2, 2);
        var e = Assert.Throws<DataFormatException>(() => DatasetLayouts.Open(dir.Path).Load(0));
        Assert.Equal(dir.File("a/masks/only.png"), e.Path);
    }

    [Fact]
    public void UnknownFolderIsRefused()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("whatever"));
        Assert.StartsWith("unknown data set layout", Assert.Throws<DataFormatException>(() => DatasetLayouts.Open(dir.Path)).Problem);
    }
}
