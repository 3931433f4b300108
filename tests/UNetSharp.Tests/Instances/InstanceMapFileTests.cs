using UNetSharp.Instances;
using UNetSharp.IO;

namespace UNetSharp.Tests.Instances;

public sealed class InstanceMapFileTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-instmap-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    /// <summary>256×300 = 76,800 one-pixel instances: more than 16 bits hold.</summary>
    static int[] ManyInstances() => Enumerable.Range(1, 256 * 300).ToArray();

    [Fact]
    public void More_than_65535_instances_are_refused_as_PNG_and_nothing_is_written()
    {
        string path = Path.Combine(root, "many.png");
        var e = Assert.Throws<DataFormatException>(() => InstanceMapFile.Write(path, ManyInstances(), [256, 300]));
        Assert.Equal(path, e.Path);
        Assert.Contains("76,800 instances do not fit a 16-bit PNG", e.Message);
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(root));
    }

    [Fact]
    public void More_than_65535_instances_are_written_as_32_bit_TIFF_and_NIfTI_and_read_back_exactly()
    {
        var map = ManyInstances();
        string tiff = Path.Combine(root, "many.tif");
        InstanceMapFile.Write(tiff, map, [256, 300]);
        Assert.Equal(map, ImageFile.ReadLabels(tiff).Labels);

        var header = new NiftiHeader { DataType = (short)NiftiDataType.Int16, BitPix = 16 };
        header.Dim[0] = 3; header.Dim[1] = 300; header.Dim[2] = 256; header.Dim[3] = 1;
        for (int i = 4; i < 8; i++) header.Dim[i] = 1;
        for (int i = 0; i < 8; i++) header.PixDim[i] = 1;
        header.PixDim[1] = 0.5;
        header.SclSlope = 1; header.VoxOffset = 352;
        string nifti = Path.Combine(root, "many.nii.gz");
        InstanceMapFile.Write(nifti, map, [1, 256, 300], header);
        var read = NiftiFile.Read(nifti);
        Assert.Equal(NiftiDataType.UInt32, read.DataType);
        Assert.Equal(0.5, read.Header.PixDim[1]);
        Assert.Equal(map, ImageFile.ReadLabels(nifti).Labels);
    }

    [Fact]
    public void A_few_instances_are_still_a_16_bit_PNG()
    {
        string path = Path.Combine(root, "few.png");
        int[] map = [0, 1, 2, 0, 3, 3];
        InstanceMapFile.Write(path, map, [2, 3]);
        var image = PngFile.Read(path);
        Assert.Equal(16, image.BitDepth);
        Assert.Equal(map, ImageFile.ReadLabels(path).Labels);
    }

    [Fact]
    public void An_instance_map_that_is_not_integer_valued_is_refused_naming_the_file()
    {
        // a 32-bit float TIFF (what instance maps above 65,535 objects are written as) holding 2.5 where an id belongs
        string path = Path.Combine(root, "fraction.tif");
        TiffFile.Write(path, new RasterImage([0f, 1f, 2.5f, 3f], 1, [2, 2], 32), 32);
        var e = Assert.Throws<DataFormatException>(() => ImageFile.ReadLabels(path));
        Assert.Equal(path, e.Path);
        Assert.Contains("label value 2.5 at pixel 2 is not a whole number", e.Message);
    }
}
