using UNetSharp.IO;

namespace UNetSharp.Tests.IO;

public class TiffFileTests
{
    [Theory]
    [InlineData(1, 8)]
    [InlineData(1, 16)]
    [InlineData(3, 8)]
    [InlineData(4, 16)]
    [InlineData(1, 32)]
    public void SinglePageRoundTrip(int channels, int bits)
    {
        using var dir = new TempDir();
        float max = bits == 8 ? 255 : 65535;
        var data = Enumerable.Range(0, channels * 6 * 9).Select(i => bits == 32 ? i * -0.75f : i * 4099 % (max + 1)).ToArray();
        TiffFile.Write(dir.File("a.tif"), new RasterImage(data, channels, [6, 9], bits), bits);
        var read = TiffFile.Read(dir.File("a.tif"));
        Assert.Equal((channels, bits), (read.Channels, read.BitDepth));
        Assert.Equal([6, 9], read.Shape);
        Assert.Equal(data, read.Data);
    }

    [Fact]
    public void MultiPageStackBecomesDepthAxis()
    {
        using var dir = new TempDir();
        // 5 pages of 4x3, 16-bit, value = 1000 * page + pixel
        var data = Enumerable.Range(0, 5 * 12).Select(i => (float)(1000 * (i / 12) + i % 12)).ToArray();
        TiffFile.Write(dir.File("stack.tiff"), new RasterImage(data, 1, [5, 4, 3], 16), 16);

        Assert.Equal(5, TiffFile.ReadPages(dir.File("stack.tiff")).Count);
        var stack = ImageFile.Read(dir.File("stack.tiff"));
        Assert.Equal([5, 4, 3], stack.Shape);
        Assert.Equal(4011f, stack.Data[4 * 12 + 11]);
        Assert.Equal(data, stack.Data);
    }

    [Fact]
    public void CorruptTiffsGiveDataFormatException()
    {
        using var dir = new TempDir();
        TiffFile.Write(dir.File("ok.tif"), new RasterImage(new float[32 * 32], 1, [32, 32], 8));
        byte[] bytes = File.ReadAllBytes(dir.File("ok.tif"));

        File.WriteAllBytes(dir.File("mark.tif"), [(byte)'X', .. bytes[1..]]);
        Assert.Contains("byte-order mark", Assert.Throws<DataFormatException>(() => TiffFile.Read(dir.File("mark.tif"))).Problem);

        File.WriteAllBytes(dir.File("cut.tif"), bytes[..12]);
        var e = Assert.Throws<DataFormatException>(() => TiffFile.Read(dir.File("cut.tif")));
        Assert.Equal(dir.File("cut.tif"), e.Path);
        Assert.DoesNotContain('\n', e.Message);
    }
}
