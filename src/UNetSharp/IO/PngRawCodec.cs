using System.Buffers.Binary;
using System.IO.Compression;

namespace UNetSharp.IO;

/// <summary>
/// Our own PNG pixel codec for what Skia does not give exactly: 16-bit samples (Skia decodes those to 8 bits or to
/// premultiplied/colour-managed RGBA) and writing with full control over bit depth and colour type. Decoding covers
/// non-interlaced gray, gray+alpha, RGB and RGBA at 8 or 16 bits; encoding writes filter type 0 rows.
/// </summary>
internal static class PngRawCodec
{
    public static float[] Decode(PngStructure png, string path)
    {
        if (png.Interlaced) throw new DataFormatException(path, $"interlaced {png.BitDepth}-bit PNG is not supported");
        if (png.ColorType == 3 || png.BitDepth < 8) throw new DataFormatException(path, "palette and sub-byte PNGs are decoded by Skia, not here");
        int channels = png.Channels, sampleBytes = png.BitDepth / 8, bpp = channels * sampleBytes;
        long stride = (long)png.Width * bpp;
        long expected = png.Height * (stride + 1);
        if (expected > Array.MaxLength) throw new DataFormatException(path, $"PNG of {png.Width}x{png.Height} is too large to decode");
        var raw = Inflate(png, expected, path);
        Unfilter(raw, png.Height, (int)stride, bpp, path);
        long pixels = (long)png.Width * png.Height;
        var data = new float[pixels * channels];
        for (int y = 0; y < png.Height; y++)
        {
            var row = raw.AsSpan((int)(y * (stride + 1) + 1), (int)stride);
            for (int x = 0; x < png.Width; x++)
                for (int c = 0; c < channels; c++)
                {
                    int o = x * bpp + c * sampleBytes;
                    data[c * pixels + (long)y * png.Width + x] = sampleBytes == 2 ? BinaryPrimitives.ReadUInt16BigEndian(row[o..]) : row[o];
                }
        }
        return data;
    }

    /// <summary>A palette PNG's pixels as palette indices (not colours), one byte per pixel: label images saved with a
    /// palette (e.g. PASCAL VOC style masks) store the class in the index. Bit depths 1, 2, 4 and 8, not interlaced.</summary>
    public static byte[] DecodePaletteIndices(PngStructure png, string path)
    {
        if (png.ColorType != 3) throw new ArgumentException("not a palette PNG");
        if (png.Interlaced) throw new DataFormatException(path, "interlaced palette PNG label images are not supported; save the mask without interlacing");
        int depth = png.BitDepth;
        long stride = ((long)png.Width * depth + 7) / 8;
        long expected = png.Height * (stride + 1);
        if (expected > Array.MaxLength) throw new DataFormatException(path, $"PNG of {png.Width}x{png.Height} is too large to decode");
        var raw = Inflate(png, expected, path);
        Unfilter(raw, png.Height, (int)stride, 1, path);
        var indices = new byte[(long)png.Width * png.Height];
        int perByte = 8 / depth, mask = (1 << depth) - 1;
        for (int y = 0; y < png.Height; y++)
        {
            var row = raw.AsSpan((int)(y * (stride + 1) + 1), (int)stride);
            for (int x = 0; x < png.Width; x++)
            {
                int shift = 8 - depth * (x % perByte + 1);
                indices[(long)y * png.Width + x] = (byte)((row[x / perByte] >> shift) & mask);
            }
        }
        return indices;
    }

    static byte[] Inflate(PngStructure png, long expected, string path)
    {
        var raw = new byte[expected];
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

    static void Unfilter(byte[] raw, int height, int stride, int bpp, string path)
    {
        for (int y = 0; y < height; y++)
        {
            int start = y * (stride + 1);
            byte filter = raw[start];
            var row = raw.AsSpan(start + 1, stride);
            var prior = y > 0 ? raw.AsSpan(start - stride, stride) : Span<byte>.Empty;
            for (int i = 0; i < stride; i++)
            {
                int a = i >= bpp ? row[i - bpp] : 0, b = y > 0 ? prior[i] : 0, c = i >= bpp && y > 0 ? prior[i - bpp] : 0;
                row[i] = filter switch
                {
                    0 => row[i],
                    1 => (byte)(row[i] + a),
                    2 => (byte)(row[i] + b),
                    3 => (byte)(row[i] + ((a + b) >> 1)),
                    4 => (byte)(row[i] + Paeth(a, b, c)),
                    _ => throw new DataFormatException(path, $"PNG row {y} has unknown filter type {filter}"),
                };
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
