using SkiaSharp;
using UNetSharp.IO;

namespace UNetSharp.Tests.IO;

public class PngFileTests
{
    static float[] Ramp(int count, int modulo, int step = 1) => Enumerable.Range(0, count).Select(i => (float)(i * step % modulo)).ToArray();

    [Theory]
    [InlineData(1, 8)]
    [InlineData(2, 8)]
    [InlineData(3, 8)]
    [InlineData(4, 8)]
    [InlineData(1, 16)]
    [InlineData(2, 16)]
    [InlineData(3, 16)]
    [InlineData(4, 16)]
    public void RoundTripKeepsEverySample(int channels, int bits)
    {
        using var dir = new TempDir();
        int max = (1 << bits) - 1;
        // 16-bit values chosen so the low byte matters (257 * k + 1 would survive a naive 8-bit path only by luck)
        var data = Ramp(channels * 7 * 5, max + 1, bits == 16 ? 4099 : 37);
        data[0] = max; data[^1] = 0;
        PngFile.Write(dir.File("a.png"), new RasterImage(data, channels, [7, 5], bits), bits);

        var read = PngFile.Read(dir.File("a.png"));
        Assert.Equal(channels, read.Channels);
        Assert.Equal([7, 5], read.Shape);
        Assert.Equal(bits, read.BitDepth);
        Assert.Equal(data, read.Data);
    }

    [Fact]
    public void SkiaEncodedRgbaWithTransparencyKeepsUnpremultipliedColour()
    {
        using var dir = new TempDir();
        using (var bitmap = new SKBitmap(new SKImageInfo(2, 1, SKColorType.Rgba8888, SKAlphaType.Unpremul)))
        {
            bitmap.SetPixel(0, 0, new SKColor(200, 100, 50, 128));
            bitmap.SetPixel(1, 0, new SKColor(10, 20, 30, 255));
            using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(dir.File("skia.png"), data.ToArray());
        }
        var read = PngFile.Read(dir.File("skia.png"));
        Assert.Equal(4, read.Channels);
        Assert.Equal(new float[] { 200, 10, 100, 20, 50, 30, 128, 255 }, read.Data);
        Assert.Equal(new float[] { 200, 10, 100, 20, 50, 30 }, read.DropAlpha().Data);
        Assert.Equal(0.299f * 200 + 0.587f * 100 + 0.114f * 50, read.ToGray().Data[0], 3);
    }

    [Fact]
    public void GrayWithTransparencyKeyStillReadsItsValues()
    {
        using var dir = new TempDir();
        var data = Ramp(6 * 4, 256, 11);
        PngFile.Write(dir.File("g.png"), new RasterImage(data, 1, [6, 4], 8));
        byte[] plain = File.ReadAllBytes(dir.File("g.png"));
        // insert a tRNS chunk (gray key 0) after IHDR (8 signature + 25 IHDR bytes); CRC filled in afterwards
        byte[] trns = [0, 0, 0, 2, (byte)'t', (byte)'R', (byte)'N', (byte)'S', 0, 0, 0, 0, 0, 0];
        byte[] keyed = [.. plain[..33], .. trns, .. plain[33..]];
        HostileMutationTests.FixPngCrcs(keyed);
        File.WriteAllBytes(dir.File("k.png"), keyed);

        var read = PngFile.Read(dir.File("k.png"));
        Assert.Equal(1, read.Channels);
        Assert.Equal(data, read.Data);
        Assert.Equal(data.Select(v => (int)v), ImageFile.ReadLabels(dir.File("k.png")).Labels);
    }

    [Fact]
    public void SkiaEncodedGrayIsReadExactly()
    {
        using var dir = new TempDir();
        using (var bitmap = new SKBitmap(new SKImageInfo(3, 2, SKColorType.Gray8, SKAlphaType.Opaque)))
        {
            for (int i = 0; i < 6; i++) bitmap.SetPixel(i % 3, i / 3, new SKColor((byte)(i * 50), (byte)(i * 50), (byte)(i * 50)));
            using var encoded = bitmap.Encode(SKEncodedImageFormat.Png, 100);
            File.WriteAllBytes(dir.File("g.png"), encoded.ToArray());
        }
        var read = PngFile.Read(dir.File("g.png"));
        Assert.Equal(1, read.Channels);
        Assert.Equal(new float[] { 0, 50, 100, 150, 200, 250 }, read.Data);
    }

    [Fact]
    public void LabelsUpTo65535RoundTrip()
    {
        using var dir = new TempDir();
        PngFile.WriteLabels(dir.File("l8.png"), [0, 1, 255, 7], 2, 2);
        PngFile.WriteLabels(dir.File("l16.png"), [0, 1, 256, 65535], 2, 2);
        Assert.Equal(8, PngFile.Read(dir.File("l8.png")).BitDepth);
        Assert.Equal(new[] { 0, 1, 255, 7 }, ImageFile.ReadLabels(dir.File("l8.png")).Labels);
        Assert.Equal(new[] { 0, 1, 256, 65535 }, ImageFile.ReadLabels(dir.File("l16.png")).Labels);
    }

    [Fact]
    public void WriterRefusesValuesItWouldHaveToClampOrRound()
    {
        using var dir = new TempDir();
        Assert.Throws<ArgumentException>(() => PngFile.Write(dir.File("x.png"), new RasterImage([256f], 1, [1, 1], 8)));
        Assert.Throws<ArgumentException>(() => PngFile.Write(dir.File("x.png"), new RasterImage([1.5f], 1, [1, 1], 8)));
        Assert.False(File.Exists(dir.File("x.png")));
    }

    [Fact]
    public void CorruptPngsGiveDataFormatException()
    {
        using var dir = new TempDir();
        PngFile.Write(dir.File("ok.png"), new RasterImage(Ramp(64 * 64, 256), 1, [64, 64], 8));
        byte[] bytes = File.ReadAllBytes(dir.File("ok.png"));

        File.WriteAllBytes(dir.File("sig.png"), [0, .. bytes[1..]]);
        Assert.Contains("bad signature", Assert.Throws<DataFormatException>(() => PngFile.Read(dir.File("sig.png"))).Problem);

        File.WriteAllBytes(dir.File("cut.png"), bytes[..(bytes.Length - 30)]);
        Assert.Contains("truncated", Assert.Throws<DataFormatException>(() => PngFile.Read(dir.File("cut.png"))).Problem);

        var flipped = (byte[])bytes.Clone();
        flipped[50] ^= 0x10;
        File.WriteAllBytes(dir.File("crc.png"), flipped);
        Assert.Contains("bad CRC", Assert.Throws<DataFormatException>(() => PngFile.Read(dir.File("crc.png"))).Problem);
    }

    [Trait("Category", "Slow")]
    [SkippableFact]
    public void IsbiSliceIsEightBitGrayWithBinaryLabel()
    {
        string root = SharedData.Require("isbi2012-em");
        var image = PngFile.Read(Path.Combine(root, "images", "slice_01.png"));
        Assert.Equal((1, 8), (image.Channels, image.BitDepth));
        Assert.Equal([512, 512], image.Shape);
        Assert.True(image.Data.Distinct().Count() > 100);
        var labels = ImageFile.ReadLabels(Path.Combine(root, "labels", "slice_01.png")).Labels;
        Assert.Equal(new[] { 0, 255 }, labels.Distinct().Order().ToArray());
    }

    [Theory]
    [InlineData(8, false)]
    [InlineData(4, false)]
    [InlineData(2, true)]
    public void PaletteLabelImagesReadAsTheirIndicesNotTheirColours(int depth, bool interlaced)
    {
        using var dir = new TempDir();
        // classes 0..3 drawn in colours whose channels differ (black, red, green, blue): read as colour they would be refused
        var indices = Enumerable.Range(0, 7 * 5).Select(i => (ushort)(i * 7 % 4)).ToArray();
        var png = new TestPng(5, 7, 3, depth, indices, [0, 0, 0, 200, 0, 0, 0, 180, 0, 0, 0, 160], []);
        File.WriteAllBytes(dir.File("mask.png"), png.Encode(interlaced));

        var (labels, shape, _) = ImageFile.ReadLabels(dir.File("mask.png"));
        Assert.Equal([7, 5], shape);
        Assert.Equal(indices.Select(v => (int)v).ToArray(), labels);
    }
}
