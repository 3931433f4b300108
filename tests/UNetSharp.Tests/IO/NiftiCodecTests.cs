using System.IO.Compression;
using UNetSharp.IO;

namespace UNetSharp.Tests.IO;

public class NiftiCodecTests
{
    public static TheoryData<int, bool, NiftiDataType, bool> Variants()
    {
        var data = new TheoryData<int, bool, NiftiDataType, bool>();
        foreach (var type in Enum.GetValues<NiftiDataType>())
            foreach (int version in new[] { 1, 2 })
                foreach (bool little in new[] { true, false })
                    data.Add(version, little, type, type == NiftiDataType.Float32 || type == NiftiDataType.UInt8);
        return data;
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void RoundTripKeepsHeaderBytesAndVoxels(int version, bool little, NiftiDataType type, bool gzip)
    {
        using var dir = new TempDir();
        var original = NiftiTestImages.Image(version, little, type, 5, 4, 3);
        string path = dir.File(gzip ? "a.nii.gz" : "a.nii");
        NiftiFile.Write(path, original);

        var read = NiftiFile.Read(path);
        Assert.Equal(version, read.Header.Version);
        Assert.Equal(little, read.Header.LittleEndian);
        Assert.Equal(type, read.DataType);
        Assert.Equal(NiftiHeaderCodec.Serialize(original.Header), NiftiHeaderCodec.Serialize(read.Header));
        Assert.Equal(original.Voxels, read.Voxels);
        Assert.Equal([3, 4, 5], read.Header.SpatialShape);
        Assert.Equal([1.5, 1.0, 0.5], read.Header.Spacing);

        byte[] onDisk = gzip ? Gunzip(path) : File.ReadAllBytes(path);
        Assert.Equal(version == 2 ? 544 + 60 * NiftiDataTypes.BytesPerVoxel((short)type) : 352 + 60 * NiftiDataTypes.BytesPerVoxel((short)type), onDisk.Length);
        // the first word is sizeof_hdr in the file's own byte order
        Assert.Equal(version == 2 ? 540 : 348, little ? BitConverter.ToInt32(onDisk, 0) : System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(onDisk));
    }

    [Fact]
    public void BigEndianInt16IsSwappedToHostValues()
    {
        using var dir = new TempDir();
        string path = NiftiTestImages.Write(dir.Path, "be.nii", version: 1, little: false, type: NiftiDataType.Int16, sizes: [2, 1]);
        byte[] bytes = File.ReadAllBytes(path);
        // voxel 1 is (37 % 251 - 100) * 100 = -6300 = 0xE764, stored big-endian at 352 + 2
        Assert.Equal(new byte[] { 0xE7, 0x64 }, bytes[354..356]);
        Assert.Equal(new short[] { -10000, -6300 }, (short[])NiftiFile.Read(path).Voxels);
    }

    [Fact]
    public void ScaleSlopeAndInterceptApplyInFloatConversion()
    {
        var h = NiftiTestImages.Header(1, true, NiftiDataType.Int16, 3, 1);
        h.SclSlope = 0.5; h.SclInter = -10;
        var image = new NiftiImage(h, new byte[4], new short[] { 0, 4, -6 });
        Assert.Equal(new[] { -10f, -8f, -13f }, image.ToFloat32());
        Assert.Equal(new[] { -10, -8, -13 }, image.ToInt32Labels("x.nii"));

        h.SclSlope = 0; // 0 means "not scaled", as in nibabel
        Assert.Equal(new[] { 0f, 4f, -6f }, new NiftiImage(h, new byte[4], new short[] { 0, 4, -6 }).ToFloat32());
    }

    [Fact]
    public void FractionalLabelsAreAFileError()
    {
        var h = NiftiTestImages.Header(1, true, NiftiDataType.Float32, 2, 1);
        var e = Assert.Throws<DataFormatException>(() => new NiftiImage(h, new byte[4], new[] { 1f, 1.5f }).ToInt32Labels("lab.nii"));
        Assert.StartsWith("lab.nii: label value 1.5", e.Message);
    }

    [Fact]
    public void AffinePrefersSformThenQformThenBase()
    {
        var h = NiftiTestImages.Header(1, true, NiftiDataType.UInt8, 10, 20, 30);
        // base (nibabel shape_zoom_affine): x flipped, origin at the centre
        Assert.Equal(new double[,] { { -0.5, 0, 0, 2.25 }, { 0, 1, 0, -9.5 }, { 0, 0, 1.5, -21.75 }, { 0, 0, 0, 1 } }, h.Affine);

        // qform: 180 degrees about z (b=c=0, d=1, a=0), qfac -1 flips z
        h.QformCode = 1; h.QuaternD = 1; h.PixDim[0] = -1; h.QOffsetX = 7; h.QOffsetY = 8; h.QOffsetZ = 9;
        Assert.Equal(new double[,] { { -0.5, 0, 0, 7 }, { 0, -1, 0, 8 }, { 0, 0, -1.5, 9 }, { 0, 0, 0, 1 } }, h.Affine);

        h.SformCode = 2;
        h.SRowX = [1, 2, 3, 4]; h.SRowY = [5, 6, 7, 8]; h.SRowZ = [9, 10, 11, 12];
        Assert.Equal(new double[,] { { 1, 2, 3, 4 }, { 5, 6, 7, 8 }, { 9, 10, 11, 12 }, { 0, 0, 0, 1 } }, h.Affine);
    }

    [Fact]
    public void ExtensionBytesAreKeptVerbatim()
    {
        using var dir = new TempDir();
        var h = NiftiTestImages.Header(1, true, NiftiDataType.UInt8, 2, 2);
        var extension = new byte[4 + 16];
        extension[0] = 1; // extension flag, then one 16-byte extension: esize 16, ecode 6 (comment), 8 bytes text
        BitConverter.GetBytes(16).CopyTo(extension, 4);
        BitConverter.GetBytes(6).CopyTo(extension, 8);
        "hello!!!"u8.CopyTo(extension.AsSpan(12));
        NiftiFile.Write(dir.File("e.nii"), new NiftiImage(h, extension, new byte[] { 1, 2, 3, 4 }));

        var read = NiftiFile.Read(dir.File("e.nii"));
        Assert.Equal(348 + 20, read.Header.VoxOffset);
        Assert.Equal(extension, read.Extension);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, (byte[])read.Voxels);
    }

    [Fact]
    public void FourDimensionalImageGivesChannelsFirst()
    {
        using var dir = new TempDir();
        var h = NiftiTestImages.Header(2, true, NiftiDataType.Float32, 2, 1, 1, 3);
        NiftiFile.Write(dir.File("m.nii.gz"), new NiftiImage(h, new byte[4], new[] { 1f, 2f, 10f, 20f, 100f, 200f }));
        var image = ImageFile.Read(dir.File("m.nii.gz"));
        Assert.Equal(3, image.Channels);
        Assert.Equal([1, 1, 2], image.Shape);
        Assert.Equal(new[] { 1f, 2f, 10f, 20f, 100f, 200f }, image.Data);
    }

    [Fact]
    public void PredictionWrittenFromReferenceKeepsGeometry()
    {
        using var dir = new TempDir();
        var reference = NiftiTestImages.Header(1, false, NiftiDataType.Float32, 2, 2, 1, 2);
        reference.SformCode = 1; reference.SRowX = [0.5, 0, 0, -3]; reference.SRowY = [0, 1, 0, 4]; reference.SRowZ = [0, 0, 1.5, 5];
        reference.SclSlope = 3; reference.CalMax = 900;

        NiftiFile.Write(dir.File("pred.nii.gz"), NiftiImage.FromLabels([0, 1, 2, 1], reference));
        var labels = NiftiFile.Read(dir.File("pred.nii.gz"));
        Assert.Equal(NiftiDataType.UInt8, labels.DataType);
        Assert.Equal(3, labels.Header.Rank); // the 4th (modality) axis is dropped for a label map
        Assert.Equal(new[] { 0, 1, 2, 1 }, labels.ToInt32Labels("pred"));
        Assert.Equal(reference.Affine, labels.Header.Affine);
        Assert.False(labels.Header.LittleEndian);
        Assert.Equal(0, labels.Header.CalMax);

        NiftiFile.Write(dir.File("prob.nii"), NiftiImage.FromFloat32([0.25f, 0.5f, 0.75f, 1f], reference));
        var prob = NiftiFile.Read(dir.File("prob.nii"));
        Assert.Equal(new[] { 0.25f, 0.5f, 0.75f, 1f }, prob.ToFloat32()); // slope reset to 1
        Assert.Equal(reference.Spacing, prob.Header.Spacing);
        Assert.Throws<ArgumentException>(() => NiftiImage.FromFloat32([1f, 2f, 3f], reference));
    }

    internal static byte[] Gunzip(string path)
    {
        using var gz = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        var output = new MemoryStream();
        gz.CopyTo(output);
        return output.ToArray();
    }
}
