using System.Buffers.Binary;
using System.IO.Compression;
using UNetSharp.IO;

namespace UNetSharp.Tests.IO;

/// <summary>Each kind of broken NIfTI file gives a one-line DataFormatException that names the file.</summary>
public class NiftiHostileTests
{
    static DataFormatException ReadFails(string path)
    {
        var e = Assert.Throws<DataFormatException>(() => NiftiFile.Read(path));
        Assert.Equal(path, e.Path);
        Assert.StartsWith(path + ": ", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        return e;
    }

    /// <summary>A valid uncompressed file with <paramref name="edit"/> applied to its bytes.</summary>
    static string Edited(TempDir dir, Action<byte[]> edit, int version = 1, string name = "bad.nii")
    {
        string path = NiftiTestImages.Write(dir.Path, name, version: version, sizes: [4, 3, 2]);
        byte[] bytes = File.ReadAllBytes(path);
        edit(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    [Fact]
    public void TruncatedGzip()
    {
        using var dir = new TempDir();
        string path = NiftiTestImages.Write(dir.Path, "t.nii.gz", sizes: [40, 30, 20]);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length / 2)]);
        Assert.Contains("truncated", ReadFails(path).Problem);
    }

    [Fact]
    public void CorruptGzipStream()
    {
        using var dir = new TempDir();
        string path = NiftiTestImages.Write(dir.Path, "c.nii.gz", sizes: [40, 30, 20]);
        byte[] bytes = File.ReadAllBytes(path);
        for (int i = 12; i < 40; i++) bytes[i] = 0xFF; // wreck the deflate block header
        File.WriteAllBytes(path, bytes);
        ReadFails(path);
    }

    [Fact]
    public void WrongMagic()
    {
        using var dir = new TempDir();
        string path = Edited(dir, b => "n+9\0"u8.CopyTo(b.AsSpan(344)));
        Assert.Equal("wrong NIfTI-1 magic 'n+9\\0'", ReadFails(path).Problem);
    }

    [Fact]
    public void NotANiftiFileAtAll()
    {
        using var dir = new TempDir();
        string path = dir.File("x.nii");
        File.WriteAllText(path, "hello world, this is not an image");
        Assert.Contains("not a NIfTI file", ReadFails(path).Problem);
    }

    [Fact]
    public void NegativeAndZeroDims()
    {
        using var dir = new TempDir();
        Assert.Equal("dim[2] is -3, must be positive", ReadFails(Edited(dir, b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(44), -3))).Problem);
        Assert.Equal("dim[1] is 0, must be positive", ReadFails(Edited(dir, b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(42), 0), name: "z.nii")).Problem);
        Assert.Equal("dim[0] is -1, must be 1 to 7", ReadFails(Edited(dir, b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40), -1), name: "r.nii")).Problem);
    }

    [Fact]
    public void FiveDimensionsAreRejectedClearly()
    {
        using var dir = new TempDir();
        string path = Edited(dir, b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(40), 5));
        Assert.Equal("5-dimensional images are not supported (at most 4)", ReadFails(path).Problem);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void TwoToTheFortyVoxelsDoNotAllocate(bool gzip)
    {
        using var dir = new TempDir();
        // NIfTI-2 holds 64-bit dims: 2^20 x 2^20 x 1 of int16 claims 2 TiB
        var h = NiftiTestImages.Header(2, true, NiftiDataType.Int16, 1L << 20, 1L << 20, 1);
        byte[] header = NiftiHeaderCodec.Serialize(h);
        byte[] file = [.. header, 0, 0, 0, 0, 1, 2, 3, 4];
        string path = dir.File(gzip ? "huge.nii.gz" : "huge.nii");
        if (gzip) { using var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest); gz.Write(file); }
        else File.WriteAllBytes(path, file);

        long before = GC.GetAllocatedBytesForCurrentThread();
        var e = ReadFails(path);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Contains("exceed the 2147483591-byte limit", e.Problem);
        Assert.True(allocated < 4 << 20, $"allocated {allocated} bytes");
    }

    [Fact]
    public void LyingGzipHeaderWithinTheCapAllocatesOnlyWhatArrives()
    {
        using var dir = new TempDir();
        var h = NiftiTestImages.Header(1, true, NiftiDataType.Float32, 1000, 1000, 100); // claims 400 MB
        string path = dir.File("liar.nii.gz");
        using (var gz = new GZipStream(File.Create(path), CompressionLevel.Fastest)) { gz.Write(NiftiHeaderCodec.Serialize(h)); gz.Write(new byte[4 + 1000]); }
        long before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Contains("truncated", ReadFails(path).Problem);
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before < 16 << 20);
    }

    [Fact]
    public void ConfigurableSizeCap()
    {
        using var dir = new TempDir();
        string path = NiftiTestImages.Write(dir.Path, "cap.nii", sizes: [100, 100]); // 20000 bytes of int16
        var e = Assert.Throws<DataFormatException>(() => NiftiFile.Read(path, new NiftiReadLimits { MaxDataBytes = 19999 }));
        Assert.Contains("19999-byte limit", e.Message);
        Assert.Equal(10000, NiftiFile.Read(path, new NiftiReadLimits { MaxDataBytes = 20000 }).Voxels.Length);
    }

    [Fact]
    public void VoxOffsetBeyondFileAndInsideHeader()
    {
        using var dir = new TempDir();
        string beyond = Edited(dir, b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), 100000f));
        Assert.Equal("vox_offset 100000 is beyond the end of the file (400 bytes)", ReadFails(beyond).Problem);
        string inside = Edited(dir, b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), 100f), name: "in.nii");
        Assert.Equal("vox_offset 100 is inside the 348-byte header", ReadFails(inside).Problem);
        string fraction = Edited(dir, b => BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(108), 352.5f), name: "fr.nii");
        Assert.Equal("vox_offset 352.5 is not a whole number", ReadFails(fraction).Problem);
    }

    [Fact]
    public void TruncatedUncompressedData()
    {
        using var dir = new TempDir();
        string path = NiftiTestImages.Write(dir.Path, "short.nii", sizes: [4, 3, 2]);
        byte[] bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^1]);
        Assert.StartsWith("truncated: header claims 48 bytes", ReadFails(path).Problem);
        File.WriteAllBytes(path, bytes[..200]);
        Assert.StartsWith("truncated NIfTI-1 header (200 of 348", ReadFails(path).Problem);
    }

    [Theory]
    [InlineData(32)]   // complex64
    [InlineData(128)]  // RGB24
    [InlineData(0)]
    [InlineData(-7)]
    public void UnsupportedDatatype(short code)
    {
        using var dir = new TempDir();
        string path = Edited(dir, b => BinaryPrimitives.WriteInt16LittleEndian(b.AsSpan(70), code));
        Assert.Equal($"unsupported NIfTI datatype {code}", ReadFails(path).Problem);
    }

    [Fact]
    public void HeaderImagePairIsRefusedWithAHint()
    {
        using var dir = new TempDir();
        string path = Edited(dir, b => "ni1\0"u8.CopyTo(b.AsSpan(344)));
        Assert.Contains("header/image pair", ReadFails(path).Problem);
    }

    [Fact]
    public void MissingFileIsADataFormatError()
    {
        using var dir = new TempDir();
        Assert.Contains("cannot read", ReadFails(dir.File("nope.nii.gz")).Problem);
    }
}
