using UNetSharp.IO;
using UNetSharp.IO.Dicom;
using Xunit.Abstractions;

namespace UNetSharp.Tests.IO.Dicom;

/// <summary>
/// The real series of ../shared/data/dicom-reference against the NIfTI dicom2nifti wrote for each: same voxel values,
/// same grid, same affine within 1e-4 mm. Compressed series need GDCM (libgdcm-cil); they skip with a message without it.
/// </summary>
public class DicomReferenceTests(ITestOutputHelper output)
{
    public static TheoryData<string> Series() => DicomReferenceSeries.Names();

    [SkippableTheory]
    [MemberData(nameof(Series))]
    public void SeriesMatchesDicom2NiftiReference(string name)
    {
        string dir = Path.Combine(SharedData.Require("dicom-reference"), name);
        if (name.Contains("compressed")) Skip.If(GdcmCodec.Unavailable is not null, GdcmCodec.Unavailable ?? "");
        var image = ImageFile.Read(Path.Combine(dir, "series"));
        var reference = NiftiFile.Read(Path.Combine(dir, "001_ground_truth.nii.gz"));
        var expected = reference.ToFloat32();
        var h = reference.Header;
        output.WriteLine($"reference dims [{string.Join(",", h.Sizes)}] type {h.DataType} sform {h.SformCode} qform {h.QformCode}");
        output.WriteLine($"reference affine {Text(h.Affine)}; ours {Text(image.Header!.Affine)}");
        output.WriteLine($"first voxels reference [{string.Join(",", expected.Take(6))}] ours [{string.Join(",", image.Data.Take(6))}]");
        Assert.Equal(h.SpatialShape, image.Shape);
        Assert.Equal(expected.Length, image.Data.Length);
        int differing = 0;
        for (int i = 0; i < expected.Length; i++) if (expected[i] != image.Data[i]) differing++;
        Assert.True(differing == 0, $"{differing} of {expected.Length} voxels differ from the reference");
        var want = h.Affine;
        var got = image.Header!.Affine;
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 4; c++)
                Assert.True(Math.Abs(want[r, c] - got[r, c]) <= 1e-4, $"affine[{r},{c}] {got[r, c]} vs reference {want[r, c]}");
        // the qform we also write places voxels where the sform does
        var q = NiftiGeometry.QformAffine(image.Header);
        for (int r = 0; r < 3; r++)
            for (int c = 0; c < 4; c++)
                Assert.True(Math.Abs(q[r, c] - got[r, c]) <= 1e-4, $"qform[{r},{c}] {q[r, c]} vs sform {got[r, c]}");
    }

    static string Text(double[,] a) => string.Join(" | ", Enumerable.Range(0, 3).Select(r => string.Join(",", Enumerable.Range(0, 4).Select(c => a[r, c].ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))));

    [SkippableFact]
    public void GantryTiltedSeriesIsRefusedNamingTheTag()
    {
        string dir = Path.Combine(SharedData.Require("dicom-reference"), "failing_gantrytilting", "series");
        var e = Assert.Throws<DataFormatException>(() => ImageFile.Read(dir));
        output.WriteLine(e.Message);
        Assert.Contains("GantryDetectorTilt (0018,1120)", e.Message);
    }
}

/// <summary>The series of dicom-reference that have a dicom2nifti reference.</summary>
public static class DicomReferenceSeries
{
    public static TheoryData<string> Names() =>
        ["generic_anatomical", "ge_anatomical", "hitachi_anatomical", "generic_compressed_jpeg", "generic_compressed_j2k", "generic_compressed_jpegls", "generic_compressed_rle"];
}
