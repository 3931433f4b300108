using UNetSharp.IO;
using UNetSharp.IO.Dicom;

namespace UNetSharp.Tests.IO.Dicom;

/// <summary>Series assembly on written DICOM files: sorting, rescale, geometry, multi-frame, and every refusal naming its tag.</summary>
public sealed class DicomSeriesTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-dicom-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SlicesAreSortedAlongTheNormalWithRescaleAppliedAndDicom2NiftiGeometry(bool implicitVr)
    {
        DicomTestFiles.Series(Dir("s"), adjust: (k, s) => s with { Slope = 2, Intercept = -3, Implicit = implicitVr });
        var image = ImageFile.Read(Dir("s"));
        Assert.Equal([4, 6, 5], image.Shape);
        Assert.Equal(1.5, image.Spacing[0], 6);
        Assert.Equal(0.8, image.Spacing[1], 6);
        Assert.Equal(0.7, image.Spacing[2], 6);
        for (int k = 0; k < 4; k++)
        {
            var raw = DicomTestFiles.Ramp(30, k);
            for (int i = 0; i < 30; i++) Assert.Equal(2f * raw[i] - 3, image.Data[k * 30 + i]);
        }
        // voxel (i, j, k) → RAS: x = -(Px + i*0.7), y = -(Py + j*0.8), z = Pz + 1.5 k
        var a = image.Header!.Affine;
        double[,] expected = { { -0.7, 0, 0, 10 }, { 0, -0.8, 0, -20 }, { 0, 0, 1.5, 30 } };
        for (int r = 0; r < 3; r++) for (int c = 0; c < 4; c++) Assert.Equal(expected[r, c], a[r, c], 9);
    }

    [Fact]
    public void AMultiFrameFileWithoutFramePositionsOrSpacingIsRefused()
    {
        Directory.CreateDirectory(Dir("m"));
        var pixels = DicomTestFiles.Ramp(3 * 6 * 5, 1);
        File.WriteAllBytes(Path.Combine(Dir("m"), "multi.dcm"), DicomTestFiles.Bytes(new DicomTestFiles.Slice([0, 0, 0], pixels, 6, 5) { Frames = 3 }));
        var e = Assert.Throws<DataFormatException>(() => ImageFile.Read(Dir("m")));
        Assert.Contains("SpacingBetweenSlices (0018,0088)", e.Message); // no per-frame positions and no spacing: refused, not guessed
    }

    [Fact]
    public void GantryTiltIsRefusedNamingTheTag()
    {
        DicomTestFiles.Series(Dir("t"), adjust: (k, s) => s with { GantryTilt = 12 });
        var e = Assert.Throws<DataFormatException>(() => ImageFile.Read(Dir("t")));
        Assert.Contains("GantryDetectorTilt (0018,1120) is 12", e.Message);
    }

    [Fact]
    public void ShearedStackingIsRefusedAsTilt()
    {
        DicomTestFiles.Series(Dir("t"), adjust: (k, s) => s with { Position = [-10, 20 + 0.3 * k, 30 + 1.5 * k] });
        var e = Assert.Throws<DataFormatException>(() => ImageFile.Read(Dir("t")));
        Assert.Contains("off the slice normal", e.Message);
    }

    [Fact]
    public void AMissingSliceIsRefused()
    {
        DicomTestFiles.Series(Dir("g"), count: 5, adjust: (k, s) => s with { Position = [-10, 20, 30 + 1.5 * (k < 2 ? k : k + 1)] });
        var e = Assert.Throws<DataFormatException>(() => ImageFile.Read(Dir("g")));
        Assert.Contains("missing slice", e.Message);
    }

    [Fact]
    public void NonUniformSpacingIsRefused()
    {
        DicomTestFiles.Series(Dir("u"), count: 4, adjust: (k, s) => s with { Position = [-10, 20, 30 + 1.5 * k + (k == 2 ? 0.4 : 0)] });
        var e = Assert.Throws<DataFormatException>(() => ImageFile.Read(Dir("u")));
        Assert.Contains("non-uniform slice spacing", e.Message);
    }

    [Fact]
    public void MixedOrientationsAndSizesAreRefused()
    {
        DicomTestFiles.Series(Dir("o"), adjust: (k, s) => k == 2 ? s with { Orientation = [1, 0, 0, 0, 0, -1] } : s);
        Assert.Contains("mixed orientations", Assert.Throws<DataFormatException>(() => ImageFile.Read(Dir("o"))).Message);
        DicomTestFiles.Series(Dir("z"), adjust: (k, s) => k == 1 ? s with { Rows = 5, Columns = 6 } : s);
        Assert.Contains("mixed sizes", Assert.Throws<DataFormatException>(() => ImageFile.Read(Dir("z"))).Message);
    }

    [Fact]
    public void SeveralSeriesNeedAChoiceAndAreFoundByUid()
    {
        DicomTestFiles.Series(Path.Combine(Dir("two"), "a"), adjust: (k, s) => s with { SeriesUid = "1.2.3.9" });
        DicomTestFiles.Series(Path.Combine(Dir("two"), "b"), count: 3);
        Assert.Contains("choose one by SeriesInstanceUID", Assert.Throws<DataFormatException>(() => DicomSeries.Read(Dir("two"))).Message);
        Assert.Equal(3, DicomSeries.Read(Dir("two"), "1.2.3.4.5").Shape[0]);
        Assert.Equal(new[] { Dir("two") + "#series=1.2.3.4.5", Dir("two") + "#series=1.2.3.9" }, DicomInput.Expand(Dir("two")));
        Assert.Equal(4, ImageFile.Read(Dir("two") + "#series=1.2.3.9").Shape[0]);
    }

    [Fact]
    public void HostileHeadersAreRefusedWithTheFileNamed()
    {
        var slice = new DicomTestFiles.Slice([0, 0, 0], DicomTestFiles.Ramp(30, 1), 6, 5);
        byte[] good = DicomTestFiles.Bytes(slice);
        string path = Path.Combine(root, "h.dcm");

        File.WriteAllBytes(path, good[..^7]); // truncated inside the pixel data
        Assert.Contains("pixel data (7FE0,0010) claims", Assert.Throws<DataFormatException>(() => DicomFile.Read(path)).Message);

        File.WriteAllBytes(path, good[..200]); // truncated inside the header
        Assert.Equal(path, Assert.Throws<DataFormatException>(() => DicomSeries.Read(path)).Path);

        File.WriteAllBytes(path, DicomTestFiles.Bytes(slice with { Frames = int.MaxValue })); // 2^31 - 1 frames
        Assert.Contains("NumberOfFrames (0028,0008)", Assert.Throws<DataFormatException>(() => DicomSeries.Read(path)).Message);

        // a lying length: Rows' 2-byte length patched to claim 0xFFFF bytes
        byte[] lying = (byte[])good.Clone();
        int rows = Find(lying, [0x28, 0x00, 0x10, 0x00, (byte)'U', (byte)'S']);
        lying[rows + 6] = 0xFF; lying[rows + 7] = 0xFF;
        File.WriteAllBytes(path, lying);
        Assert.Equal(path, Assert.Throws<DataFormatException>(() => DicomSeries.Read(path)).Path);

        // a wrong VR: Rows written as "XX" / as a 1-byte value
        byte[] vr = (byte[])good.Clone();
        vr[rows + 4] = (byte)'x'; vr[rows + 5] = (byte)'1';
        File.WriteAllBytes(path, vr);
        Assert.Contains("invalid VR", Assert.Throws<DataFormatException>(() => DicomSeries.Read(path)).Message);
    }

    static int Find(byte[] haystack, byte[] needle)
    {
        for (int i = 132; i < haystack.Length - needle.Length; i++)
            if (haystack.AsSpan(i, needle.Length).SequenceEqual(needle)) return i;
        throw new InvalidOperationException("pattern not found");
    }
}
