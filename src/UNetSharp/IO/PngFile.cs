using System.Runtime.InteropServices;
using SkiaSharp;

namespace UNetSharp.IO;

/// <summary>
/// PNG to and from <see cref="RasterImage"/> ([C, H, W], values in the file's range). 8-bit and smaller images (including
/// palette and interlaced ones) are decoded by Skia, unpremultiplied and without colour management so values are exact;
/// 16-bit images by <see cref="PngRawCodec"/>, because Skia does not return 16-bit gray samples exactly. Writing always
/// uses <see cref="PngRawCodec"/> (exact bit depth and colour type), atomically.
/// </summary>
public static class PngFile
{
    /// <summary>Largest image accepted (pixels), so a forged IHDR cannot make the decoder allocate gigabytes.</summary>
    public static long MaxPixels { get; set; } = 1L << 28;

    public static RasterImage Read(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new DataFormatException(path, $"cannot read ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new DataFormatException(path, $"cannot read ({e.Message})", e); }
        return Decode(bytes, path);
    }

    public static RasterImage Decode(byte[] bytes, string path)
    {
        var png = PngStructure.Parse(bytes, path, MaxPixels);
        int[] shape = [png.Height, png.Width];
        if (png.BitDepth == 16) return new RasterImage(PngRawCodec.Decode(png, path), png.Channels, shape, 16);
        return new RasterImage(DecodeWithSkia(bytes, png, path), png.Channels, shape, 8);
    }

    /// <summary>A label PNG stored one byte per pixel: 8-bit (or smaller) gray as its values, and palette PNGs as their
    /// palette indices (the class, whatever colour the palette shows it in). Null for other kinds of PNG.</summary>
    internal static (byte[] Pixels, int Height, int Width)? TryReadByteLabels(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new DataFormatException(path, $"cannot read ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new DataFormatException(path, $"cannot read ({e.Message})", e); }
        var png = PngStructure.Parse(bytes, path, MaxPixels);
        if (png.ColorType == 3) return (PngRawCodec.DecodePaletteIndices(png, path), png.Height, png.Width);
        if (png.ColorType != 0 || png.BitDepth > 8 || png.HasTransparency) return null;
        return (DecodeBytesWithSkia(bytes, png, path), png.Height, png.Width);
    }

    static float[] DecodeWithSkia(byte[] bytes, PngStructure png, string path)
    {
        bool gray = IsOpaqueGray(png);
        var decoded = DecodeBytesWithSkia(bytes, png, path);
        int channels = png.Channels;
        long pixels = (long)png.Width * png.Height;
        var values = new float[pixels * channels];
        if (gray)
        {
            for (long i = 0; i < pixels; i++) values[i] = decoded[i];
            return values;
        }
        // which RGBA components carry the file's channels: gray is R (= G = B), gray+alpha is R and A
        int[] source = channels switch { 1 => [0], 2 => [0, 3], 3 => [0, 1, 2], _ => [0, 1, 2, 3] };
        for (int c = 0; c < channels; c++)
        {
            int s = source[c];
            long offset = c * pixels;
            for (long i = 0; i < pixels; i++) values[offset + i] = decoded[i * 4 + s];
        }
        return values;
    }

    /// <summary>Gray with a tRNS colour key is not opaque, and Skia refuses to decode it to Gray8: it goes the RGBA way.</summary>
    static bool IsOpaqueGray(PngStructure png) => png.ColorType == 0 && !png.HasTransparency;

    /// <summary>Gray files decode straight to one byte per pixel (a quarter of the work for masks); others to unpremultiplied RGBA.</summary>
    static byte[] DecodeBytesWithSkia(byte[] bytes, PngStructure png, string path)
    {
        bool gray = IsOpaqueGray(png);
        int stride = gray ? 1 : 4;
        var decoded = new byte[checked((long)png.Width * png.Height * stride)];
        SKCodecResult result;
        try
        {
            using var data = SKData.CreateCopy(bytes);
            using var codec = SKCodec.Create(data);
            if (codec is null) throw new DataFormatException(path, "Skia cannot decode this PNG");
            if (codec.Info.Width != png.Width || codec.Info.Height != png.Height) throw new DataFormatException(path, "Skia and the PNG header disagree on the size");
            var info = new SKImageInfo(png.Width, png.Height, gray ? SKColorType.Gray8 : SKColorType.Rgba8888, gray ? SKAlphaType.Opaque : SKAlphaType.Unpremul);
            var handle = GCHandle.Alloc(decoded, GCHandleType.Pinned);
            try { result = codec.GetPixels(info, handle.AddrOfPinnedObject()); }
            finally { handle.Free(); }
        }
        catch (DataFormatException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException) { throw new DataFormatException(path, $"Skia failed to decode the PNG ({e.Message})", e); }
        if (result != SKCodecResult.Success) throw new DataFormatException(path, $"corrupt or truncated PNG image data (Skia: {result})");
        return decoded;
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
