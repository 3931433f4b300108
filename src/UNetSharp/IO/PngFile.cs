namespace UNetSharp.IO;

/// <summary>
/// PNG to and from <see cref="RasterImage"/> ([C, H, W], values in the file's range) through our own
/// <see cref="PngRawCodec"/>: every colour type and bit depth, interlaced or not, values exact (no premultiplied alpha,
/// no colour management; palette images expand to RGB or RGBA). Writing uses the same codec (exact bit depth and colour
/// type), atomically.
/// </summary>
public static class PngFile
{
    /// <summary>Largest image accepted (pixels), so a forged IHDR cannot make the decoder allocate gigabytes.</summary>
    public static long MaxPixels { get; set; } = 1L << 28;

    public static RasterImage Read(string path) => Decode(ReadBytes(path), path);

    public static RasterImage Decode(byte[] bytes, string path)
    {
        var png = PngStructure.Parse(bytes, path, MaxPixels);
        return new RasterImage(PngRawCodec.Decode(png, path), png.Channels, [png.Height, png.Width], png.BitDepth == 16 ? 16 : 8);
    }

    /// <summary>A label PNG stored one byte per pixel: 8-bit (or smaller) opaque gray as its values, and palette PNGs as
    /// their palette indices (the class, whatever colour the palette shows it in). Null for other kinds of PNG.</summary>
    internal static (byte[] Pixels, int Height, int Width)? TryReadByteLabels(string path)
    {
        var bytes = ReadBytes(path);
        var png = PngStructure.Parse(bytes, path, MaxPixels);
        if (png.ColorType == 3) return (PngRawCodec.DecodePaletteIndices(png, path), png.Height, png.Width);
        if (png.ColorType != 0 || png.BitDepth > 8 || png.HasTransparency) return null;
        return (PngRawCodec.DecodeGray8(png, path), png.Height, png.Width);
    }

    static byte[] ReadBytes(string path)
    {
        try { return File.ReadAllBytes(path); }
        catch (IOException e) { throw new DataFormatException(path, $"cannot read ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new DataFormatException(path, $"cannot read ({e.Message})", e); }
    }

    /// <summary>Writes a 2D image ([C, H, W], C = 1..4) at 8 or 16 bits; values must be whole numbers in range.</summary>
    public static void Write(string path, RasterImage image, int bitDepth = 8)
    {
        if (image.Shape.Length != 2) throw new ArgumentException("PNG holds 2D images only");
        byte[] bytes = PngRawCodec.Encode(image.Data, image.Channels, image.Shape[0], image.Shape[1], bitDepth);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Writes a label map [H, W]: 8-bit when every value fits, else 16-bit.</summary>
    public static void WriteLabels(string path, int[] labels, int height, int width)
    {
        int max = labels.Length == 0 ? 0 : labels.Max();
        var image = new RasterImage(labels.Select(v => (float)v).ToArray(), 1, [height, width], max > 255 ? 16 : 8);
        Write(path, image, image.BitDepth);
    }
}
