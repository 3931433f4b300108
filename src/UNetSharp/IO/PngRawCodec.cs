using System.Buffers.Binary;
using System.IO.Compression;

namespace UNetSharp.IO;

/// <summary>
/// Our own PNG pixel codec, so the core library needs no imaging library and every sample comes back exactly (no
/// premultiplied alpha, no colour management, 16-bit samples kept). Decoding covers every PNG colour type and bit depth,
/// interlaced or not: gray (sub-byte gray scaled to 0..255, as libpng expands it), gray+alpha, RGB, RGBA and palette
/// (expanded to RGB, or RGBA with a tRNS chunk). Encoding writes filter type 0 rows, 8 or 16 bits.
/// </summary>
internal static class PngRawCodec
{
    /// <summary>Adam7 passes: first column and row, column and row step.</summary>
    static readonly (int X0, int Y0, int Dx, int Dy)[] Adam7 = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)];
    static readonly (int X0, int Y0, int Dx, int Dy)[] Progressive = [(0, 0, 1, 1)];

    /// <summary>[C, H, W] values in the file's range (0..255 for 8-bit and smaller, 0..65535 for 16-bit); C = <see cref="PngStructure.Channels"/>.</summary>
    public static float[] Decode(PngStructure png, string path)
    {
        if (png.BitDepth == 8 && !png.Interlaced && png.ColorType != 3) return DecodeDirect8(png, path);
        var samples = Samples(png, path);
        int spp = SamplesPerPixel(png), channels = png.Channels;
        long pixels = (long)png.Width * png.Height;
        var data = new float[pixels * channels];
        if (png.ColorType == 3)
        {
            for (long i = 0; i < pixels; i++)
            {
                int index = PaletteIndex(png, samples[i], path);
                for (int c = 0; c < 3; c++) data[c * pixels + i] = png.Palette[index * 3 + c];
                if (channels == 4) data[3 * pixels + i] = index < png.Transparency.Length ? png.Transparency[index] : 255;
            }
            return data;
        }
        // a tRNS colour key on gray or RGB adds no channel: the values are what the image holds
        float scale = GrayScale(png);
        for (long i = 0; i < pixels; i++)
            for (int c = 0; c < channels; c++) data[c * pixels + i] = samples[i * spp + c] * scale;
        return data;
    }

    /// <summary>The common case (8-bit, not interlaced, no palette) straight from the unfiltered rows, without the
    /// general path's intermediate sample array: several times less memory traffic for the many small mask files.</summary>
    static float[] DecodeDirect8(PngStructure png, string path)
    {
        int spp = SamplesPerPixel(png), width = png.Width, stride = width * spp;
        long pixels = (long)width * png.Height;
        var raw = Inflate(png, (long)png.Height * (stride + 1), path);
        Unfilter(raw, png.Height, stride, spp, path);
        var data = new float[pixels * spp];
        for (int y = 0; y < png.Height; y++)
        {
            var row = raw.AsSpan(y * (stride + 1) + 1, stride);
            var gray = data.AsSpan(y * width, width);
            if (spp == 1) { for (int x = 0; x < width; x++) gray[x] = row[x]; continue; }
            for (int c = 0; c < spp; c++)
            {
                var plane = data.AsSpan((int)(c * pixels) + y * width, width);
                for (int x = 0, k = c; x < width; x++, k += spp) plane[x] = row[k];
            }
        }
        return data;
    }

    /// <summary>Gray of 8 bits or fewer as one byte per pixel (the fast path for masks).</summary>
    public static byte[] DecodeGray8(PngStructure png, string path)
    {
        if (png.ColorType != 0 || png.BitDepth > 8) throw new ArgumentException("not an 8-bit (or smaller) gray PNG");
        if (png.BitDepth == 8 && !png.Interlaced)
        {
            // the common case (masks): after unfiltering, each row already is the pixels
            var raw = Inflate(png, (long)png.Height * (png.Width + 1), path);
            Unfilter(raw, png.Height, png.Width, 1, path);
            var pixels = new byte[(long)png.Width * png.Height];
            for (int y = 0; y < png.Height; y++) raw.AsSpan(y * (png.Width + 1) + 1, png.Width).CopyTo(pixels.AsSpan(y * png.Width));
            return pixels;
        }
        var samples = Samples(png, path);
        int scale = (int)GrayScale(png);
        var bytes = new byte[samples.Length];
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(samples[i] * scale);
        return bytes;
    }

    /// <summary>A palette PNG's pixels as palette indices (not colours), one byte per pixel: label images saved with a
    /// palette (e.g. PASCAL VOC style masks) store the class in the index, whatever colour the palette shows it in.</summary>
    public static byte[] DecodePaletteIndices(PngStructure png, string path)
    {
        if (png.ColorType != 3) throw new ArgumentException("not a palette PNG");
        var samples = Samples(png, path);
        var indices = new byte[samples.Length];
        for (int i = 0; i < indices.Length; i++) indices[i] = (byte)PaletteIndex(png, samples[i], path);
        return indices;
    }

    static int SamplesPerPixel(PngStructure png) => png.ColorType switch { 0 or 3 => 1, 4 => 2, 2 => 3, _ => 4 };

    /// <summary>1-, 2- and 4-bit gray stretch to 0..255 (bit replication, what libpng and Skia return); everything else is kept.</summary>
    static float GrayScale(PngStructure png) => png.ColorType == 0 && png.BitDepth < 8 ? 255 / ((1 << png.BitDepth) - 1) : 1;

    static int PaletteIndex(PngStructure png, int index, string path)
    {
        if (index * 3 >= png.Palette.Length) throw new DataFormatException(path, $"PNG pixel uses palette entry {index} of a {png.Palette.Length / 3}-entry palette");
        return index;
    }

    /// <summary>Every pixel's samples in row order, interleaved; sub-byte samples unpacked but not scaled.</summary>
    static ushort[] Samples(PngStructure png, string path)
    {
        int spp = SamplesPerPixel(png), depth = png.BitDepth, bpp = Math.Max(1, spp * depth / 8), width = png.Width;
        var passes = png.Interlaced ? Adam7 : Progressive;
        long total = 0;
        foreach (var p in passes)
        {
            var (w, h) = PassSize(png, p);
            if (w > 0 && h > 0) total += h * (RowBytes(w, spp, depth) + 1);
        }
        if (total > Array.MaxLength) throw new DataFormatException(path, $"PNG of {png.Width}x{png.Height} is too large to decode");
        var raw = Inflate(png, total, path);
        var samples = new ushort[checked((long)png.Width * png.Height * spp)];
        int offset = 0, mask = (1 << Math.Min(depth, 8)) - 1;
        foreach (var p in passes)
        {
            var (w, h) = PassSize(png, p);
            if (w == 0 || h == 0) continue; // empty Adam7 passes have no bytes at all, not even filter bytes
            int stride = (int)RowBytes(w, spp, depth);
            Unfilter(raw.AsSpan(offset, h * (stride + 1)), h, stride, bpp, path);
            for (int y = 0; y < h; y++)
            {
                var row = raw.AsSpan(offset + y * (stride + 1) + 1, stride);
                long rowStart = (long)(p.Y0 + y * p.Dy) * width;
                for (int x = 0; x < w; x++)
                {
                    long at = (rowStart + p.X0 + x * p.Dx) * spp;
                    for (int c = 0; c < spp; c++)
                    {
                        int k = x * spp + c;
                        samples[at + c] = depth switch
                        {
                            16 => BinaryPrimitives.ReadUInt16BigEndian(row[(2 * k)..]),
                            8 => row[k],
                            _ => (ushort)((row[k * depth / 8] >> (8 - depth - k * depth % 8)) & mask),
                        };
                    }
                }
            }
            offset += h * (stride + 1);
        }
        return samples;
    }

    static (int Width, int Height) PassSize(PngStructure png, (int X0, int Y0, int Dx, int Dy) p) =>
        ((png.Width - p.X0 + p.Dx - 1) / p.Dx, (png.Height - p.Y0 + p.Dy - 1) / p.Dy);

    static long RowBytes(int width, int spp, int depth) => ((long)width * spp * depth + 7) / 8;

    static byte[] Inflate(PngStructure png, long length, string path)
    {
        var raw = new byte[length];
        try
        {
            using var z = new ZLibStream(new MemoryStream(png.ImageData, writable: false), CompressionMode.Decompress);
            int got = 0;
            while (got < raw.Length) { int n = z.Read(raw, got, raw.Length - got); if (n == 0) break; got += n; }
            if (got < raw.Length) throw new DataFormatException(path, $"truncated PNG image data ({got} of {raw.Length} bytes)");
        }
        // InvalidDataException for bad deflate data; ZLibException (an IOException) for states zlib itself rejects
        catch (Exception e) when (e is InvalidDataException or IOException) { throw new DataFormatException(path, $"corrupt PNG image data ({e.Message})", e); }
        return raw;
    }

    /// <summary>Undoes the row filters in place; the filter is chosen once per row so each loop stays tight.</summary>
    static void Unfilter(Span<byte> raw, int height, int stride, int bpp, string path)
    {
        for (int y = 0; y < height; y++)
        {
            int start = y * (stride + 1);
            byte filter = raw[start];
            var row = raw.Slice(start + 1, stride);
            var prior = y > 0 ? raw.Slice(start - stride, stride) : Span<byte>.Empty;
            switch (filter)
            {
                case 0: break;
                case 1:
                    for (int i = bpp; i < stride; i++) row[i] += row[i - bpp];
                    break;
                case 2:
                    if (y > 0) for (int i = 0; i < stride; i++) row[i] += prior[i];
                    break;
                case 3:
                    for (int i = 0; i < stride; i++)
                        row[i] += (byte)(((i >= bpp ? row[i - bpp] : 0) + (y > 0 ? prior[i] : 0)) >> 1);
                    break;
                case 4:
                    for (int i = 0; i < stride; i++)
                    {
                        int a = i >= bpp ? row[i - bpp] : 0, b = y > 0 ? prior[i] : 0, c = i >= bpp && y > 0 ? prior[i - bpp] : 0;
                        row[i] += (byte)Paeth(a, b, c);
                    }
                    break;
                default: throw new DataFormatException(path, $"PNG row {y} has unknown filter type {filter}");
            }
        }
    }

    static int Paeth(int a, int b, int c)
    {
        int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    /// <summary>PNG bytes for [C, H, W] samples (C = 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA) at 8 or 16 bits; samples must be
    /// whole numbers in range, since silently clamping or rounding would corrupt labels.</summary>
    public static byte[] Encode(ReadOnlySpan<float> data, int channels, int height, int width, int bitDepth)
    {
        if (bitDepth is not (8 or 16)) throw new ArgumentException($"PNG bit depth must be 8 or 16, got {bitDepth}");
        int colorType = channels switch { 1 => 0, 2 => 4, 3 => 2, 4 => 6, _ => throw new ArgumentException($"PNG cannot hold {channels} channels") };
        if (data.Length != (long)channels * height * width) throw new ArgumentException("data length does not match channels x height x width");
        int sampleBytes = bitDepth / 8, max = (1 << bitDepth) - 1, stride = width * channels * sampleBytes;
        long pixels = (long)height * width;
        var raw = new byte[(long)height * (stride + 1)];
        for (int y = 0; y < height; y++)
        {
            int start = y * (stride + 1) + 1;
            for (int x = 0; x < width; x++)
                for (int c = 0; c < channels; c++)
                {
                    float v = data[(int)(c * pixels + (long)y * width + x)];
                    if (!(v >= 0 && v <= max) || v != MathF.Floor(v)) throw new ArgumentException($"value {v} at channel {c}, pixel ({y},{x}) is not a whole number in 0..{max}");
                    int o = start + (x * channels + c) * sampleBytes;
                    if (sampleBytes == 2) BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan(o), (ushort)v); else raw[o] = (byte)v;
                }
        }
        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true)) z.Write(raw);
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = (byte)bitDepth; header[9] = (byte)colorType;
        var file = new MemoryStream();
        file.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(file, "IHDR"u8, header);
        WriteChunk(file, "IDAT"u8, compressed.ToArray());
        WriteChunk(file, "IEND"u8, []);
        return file.ToArray();
    }

    static void WriteChunk(Stream s, ReadOnlySpan<byte> type, ReadOnlySpan<byte> body)
    {
        Span<byte> word = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(word, body.Length);
        s.Write(word); s.Write(type); s.Write(body);
        BinaryPrimitives.WriteUInt32BigEndian(word, Crc32.Compute(type, body));
        s.Write(word);
    }
}
