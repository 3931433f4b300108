using System.Buffers.Binary;
using System.IO.Compression;
using System.Runtime.InteropServices;
using SkiaSharp;
using UNetSharp.IO;

namespace UNetSharp.Tests.IO;

/// <summary>
/// Our PNG decoder (the core library's only one since it dropped SkiaSharp) against Skia (libpng's behaviour) on
/// files built here for every colour type and bit depth Skia decodes exactly, with every filter type, interlaced and not.
/// 16-bit files, which Skia reduces to 8 bits, are checked interlaced against the same pixels written progressively.
/// </summary>
public class PngDecoderEquivalenceTests
{
    [Theory]
    [InlineData(0, 1, false)] [InlineData(0, 2, false)] [InlineData(0, 4, false)] [InlineData(0, 8, false)]
    [InlineData(0, 1, true)] [InlineData(0, 2, true)] [InlineData(0, 4, true)] [InlineData(0, 8, true)]
    [InlineData(3, 1, false)] [InlineData(3, 2, false)] [InlineData(3, 4, false)] [InlineData(3, 8, false)]
    [InlineData(3, 1, true)] [InlineData(3, 2, true)] [InlineData(3, 4, true)] [InlineData(3, 8, true)]
    [InlineData(2, 8, false)] [InlineData(2, 8, true)] [InlineData(4, 8, true)] [InlineData(6, 8, false)] [InlineData(6, 8, true)]
    public void DecodesLikeSkia(int colorType, int depth, bool interlaced)
    {
        foreach (var (width, height) in new[] { (13, 11), (3, 2), (1, 1) }) // 3x2 and 1x1 leave Adam7 passes empty
            foreach (bool transparency in colorType == 3 ? [false, true] : new[] { false })
            {
                var rng = new Random(width * 100 + depth + colorType);
                var png = TestPng.Random(rng, width, height, colorType, depth, transparency);
                byte[] bytes = png.Encode(interlaced);
                var ours = PngFile.Decode(bytes, "test.png");
                var skia = SkiaRgba(bytes, width, height);
                int[] components = ours.Channels switch { 1 => [0], 2 => [0, 3], 3 => [0, 1, 2], _ => [0, 1, 2, 3] };
                Assert.Equal(components.Length, ours.Channels);
                Assert.Equal(8, ours.BitDepth);
                int pixels = width * height;
                for (int c = 0; c < components.Length; c++)
                    for (int i = 0; i < pixels; i++)
                        Assert.True(skia[i * 4 + components[c]] == ours.Data[c * pixels + i],
                            $"{width}x{height} type {colorType} depth {depth} interlaced {interlaced} tRNS {transparency}: channel {c} pixel {i}: Skia {skia[i * 4 + components[c]]}, ours {ours.Data[c * pixels + i]}");
            }
    }

    [Theory]
    [InlineData(0)] [InlineData(2)] [InlineData(4)] [InlineData(6)]
    public void SixteenBitInterlacedEqualsProgressive(int colorType)
    {
        var png = TestPng.Random(new Random(colorType), 17, 9, colorType, 16, transparency: false);
        var progressive = PngFile.Decode(png.Encode(interlaced: false), "p.png");
        var interlaced = PngFile.Decode(png.Encode(interlaced: true), "i.png");
        Assert.Equal(16, interlaced.BitDepth);
        Assert.Equal(progressive.Data, interlaced.Data);
        Assert.Contains(progressive.Data, v => v > 255); // the low byte is really there
    }

    [Fact]
    public void PaletteIndexBeyondThePaletteIsADataFormatError()
    {
        var png = TestPng.Random(new Random(1), 4, 4, 3, 8, transparency: false) with { Palette = [1, 2, 3] };
        var samples = new ushort[16];
        samples[5] = 1; // entry 1 of a one-entry palette
        var e = Assert.Throws<DataFormatException>(() => PngFile.Decode((png with { Samples = samples }).Encode(false), "bad.png"));
        Assert.Contains("palette entry 1", e.Problem);
    }

    [Fact]
    public void OneBitGrayMaskIsReadAsZeroAnd255()
    {
        var png = new TestPng(3, 1, 0, 1, [1, 0, 1], [], []);
        using var dir = new TempDir();
        File.WriteAllBytes(dir.File("m.png"), png.Encode(interlaced: false));
        Assert.Equal(new[] { 255, 0, 255 }, ImageFile.ReadLabels(dir.File("m.png")).Labels);
    }

    static byte[] SkiaRgba(byte[] bytes, int width, int height)
    {
        using var data = SKData.CreateCopy(bytes);
        using var codec = SKCodec.Create(data);
        Assert.NotNull(codec);
        var pixels = new byte[width * height * 4];
        var handle = GCHandle.Alloc(pixels, GCHandleType.Pinned);
        try { Assert.Equal(SKCodecResult.Success, codec.GetPixels(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul), handle.AddrOfPinnedObject())); }
        finally { handle.Free(); }
        return pixels;
    }
}

/// <summary>A PNG written by hand: any colour type and depth, the five filter types in turn, optionally Adam7-interlaced.</summary>
/// <param name="Samples">Row-major, interleaved samples (palette: indices; sub-byte: unscaled values).</param>
internal sealed record TestPng(int Width, int Height, int ColorType, int Depth, ushort[] Samples, byte[] Palette, byte[] Transparency)
{
    int SamplesPerPixel => ColorType switch { 0 or 3 => 1, 4 => 2, 2 => 3, _ => 4 };

    public static TestPng Random(Random rng, int width, int height, int colorType, int depth, bool transparency)
    {
        var png = new TestPng(width, height, colorType, depth, [], [], []);
        int entries = colorType == 3 ? Math.Min(1 << depth, 200) : 0;
        int max = colorType == 3 ? entries - 1 : (1 << depth) - 1;
        var samples = new ushort[width * height * png.SamplesPerPixel];
        for (int i = 0; i < samples.Length; i++) samples[i] = (ushort)rng.Next(max + 1);
        var palette = new byte[entries * 3];
        rng.NextBytes(palette);
        // fewer alpha entries than palette entries: the rest must read as opaque
        var alpha = transparency ? new byte[Math.Max(1, entries / 2)] : [];
        rng.NextBytes(alpha);
        return png with { Samples = samples, Palette = palette, Transparency = alpha };
    }

    public byte[] Encode(bool interlaced)
    {
        (int X0, int Y0, int Dx, int Dy)[] passes = interlaced
            ? [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]
            : [(0, 0, 1, 1)];
        int spp = SamplesPerPixel, bpp = Math.Max(1, spp * Depth / 8);
        var raw = new MemoryStream();
        int rowNumber = 0;
        foreach (var (x0, y0, dx, dy) in passes)
        {
            int w = (Width - x0 + dx - 1) / dx, h = (Height - y0 + dy - 1) / dy;
            if (w == 0 || h == 0) continue;
            int stride = (w * spp * Depth + 7) / 8;
            var prior = new byte[stride];
            for (int y = 0; y < h; y++)
            {
                var row = new byte[stride];
                for (int x = 0; x < w; x++)
                    for (int c = 0; c < spp; c++)
                    {
                        int k = x * spp + c;
                        int v = Samples[((y0 + y * dy) * Width + x0 + x * dx) * spp + c];
                        if (Depth == 16) BinaryPrimitives.WriteUInt16BigEndian(row.AsSpan(2 * k), (ushort)v);
                        else if (Depth == 8) row[k] = (byte)v;
                        else row[k * Depth / 8] |= (byte)(v << (8 - Depth - k * Depth % 8));
                    }
                int filter = rowNumber++ % 5;
                raw.WriteByte((byte)filter);
                for (int i = 0; i < stride; i++)
                {
                    int a = i >= bpp ? row[i - bpp] : 0, b = y > 0 ? prior[i] : 0, c = i >= bpp && y > 0 ? prior[i - bpp] : 0;
                    int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
                    int predictor = filter switch { 0 => 0, 1 => a, 2 => b, 3 => (a + b) >> 1, _ => pa <= pb && pa <= pc ? a : pb <= pc ? b : c };
                    raw.WriteByte((byte)(row[i] - predictor));
                }
                prior = row;
            }
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true)) z.Write(raw.ToArray());

        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, Width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), Height);
        header[8] = (byte)Depth; header[9] = (byte)ColorType; header[12] = (byte)(interlaced ? 1 : 0);
        var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        Chunk(file, "IHDR", header);
        if (Palette.Length > 0) Chunk(file, "PLTE", Palette);
        if (Transparency.Length > 0) Chunk(file, "tRNS", Transparency);
        Chunk(file, "IDAT", compressed.ToArray());
        Chunk(file, "IEND", []);
        var bytes = file.ToArray();
        HostileMutationTests.FixPngCrcs(bytes);
        return bytes;
    }

    static void Chunk(Stream s, string type, byte[] body)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, body.Length);
        s.Write(length);
        s.Write(System.Text.Encoding.ASCII.GetBytes(type));
        s.Write(body);
        s.Write(new byte[4]); // CRC, filled in by FixPngCrcs
    }
}
