using System.Buffers.Binary;

namespace UNetSharp.IO;

/// <summary>The chunk structure of a PNG file, checked strictly (signature, chunk bounds, CRCs, IHDR values) before any
/// decoder sees it, so the decoders only get well-framed input.</summary>
internal sealed class PngStructure
{
    static readonly byte[] Signature = [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];

    const long MaxDeflateRatio = 1100;

    public int Width { get; private init; }
    public int Height { get; private init; }
    public int BitDepth { get; private init; }
    /// <summary>0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA.</summary>
    public int ColorType { get; private init; }
    public bool Interlaced { get; private init; }
    public bool HasTransparency { get; private init; }
    /// <summary>PLTE entries as RGB triples (palette images; empty otherwise).</summary>
    public byte[] Palette { get; private init; } = [];
    /// <summary>tRNS payload: for palette images one alpha per entry (missing entries are opaque).</summary>
    public byte[] Transparency { get; private init; } = [];
    /// <summary>The concatenated IDAT payloads (the zlib stream).</summary>
    public byte[] ImageData { get; private init; } = [];

    /// <summary>Channels the image carries (palette: RGB, or RGBA with a tRNS chunk).</summary>
    public int Channels => ColorType switch { 0 => 1, 4 => 2, 2 => 3, 3 => HasTransparency ? 4 : 3, _ => 4 };

    public static PngStructure Parse(ReadOnlySpan<byte> file, string path, long maxPixels)
    {
        if (file.Length < 8 || !file[..8].SequenceEqual(Signature)) throw new DataFormatException(path, "not a PNG file (bad signature)");
        int at = 8, width = 0, height = 0, depth = 0, color = 0;
        bool interlaced = false, trns = false, seenHeader = false, seenEnd = false;
        var idat = new List<(int Start, int Length)>();
        byte[] palette = [], transparency = [];
        while (!seenEnd)
        {
            if (file.Length - at < 12) throw new DataFormatException(path, "truncated PNG (chunk cut off)");
            uint length = BinaryPrimitives.ReadUInt32BigEndian(file[at..]);
            if (length > int.MaxValue || length > file.Length - at - 12) throw new DataFormatException(path, "truncated PNG (chunk longer than the file)");
            var type = file.Slice(at + 4, 4);
            var body = file.Slice(at + 8, (int)length);
            uint crc = BinaryPrimitives.ReadUInt32BigEndian(file[(at + 8 + (int)length)..]);
            if (Crc32.Compute(type, body) != crc) throw new DataFormatException(path, $"PNG chunk '{Name(type)}' has a bad CRC (corrupt file)");
            string name = Name(type);
            if (!seenHeader && name != "IHDR") throw new DataFormatException(path, "PNG does not start with IHDR");
            switch (name)
            {
                case "IHDR":
                    if (seenHeader || length != 13) throw new DataFormatException(path, "bad PNG IHDR chunk");
                    seenHeader = true;
                    width = BinaryPrimitives.ReadInt32BigEndian(body);
                    height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                    depth = body[8]; color = body[9];
                    if (body[10] != 0 || body[11] != 0 || body[12] > 1) throw new DataFormatException(path, "PNG uses an unknown compression, filter or interlace method");
                    interlaced = body[12] == 1;
                    if (width <= 0 || height <= 0) throw new DataFormatException(path, $"PNG size {width}x{height} is not positive");
                    if ((long)width * height > maxPixels) throw new DataFormatException(path, $"PNG size {width}x{height} exceeds the {maxPixels}-pixel limit");
                    bool validDepth = color switch
                    {
                        0 => depth is 1 or 2 or 4 or 8 or 16,
                        3 => depth is 1 or 2 or 4 or 8,
                        2 or 4 or 6 => depth is 8 or 16,
                        _ => false,
                    };
                    if (!validDepth) throw new DataFormatException(path, $"PNG colour type {color} with bit depth {depth} is invalid");
                    break;
                case "PLTE":
                    if (length == 0 || length % 3 != 0 || length > 256 * 3) throw new DataFormatException(path, $"PNG palette (PLTE) of {length} bytes is not 1..256 RGB entries");
                    palette = body.ToArray();
                    break;
                case "tRNS": trns = true; transparency = body.ToArray(); break;
                case "IDAT": idat.Add((at + 8, (int)length)); break;
                case "IEND": seenEnd = true; break;
            }
            at += 12 + (int)length;
        }
        if (idat.Count == 0) throw new DataFormatException(path, "PNG has no image data (IDAT)");
        if (color == 3 && palette.Length == 0) throw new DataFormatException(path, "palette PNG has no palette (PLTE)");
        long compressed = idat.Sum(c => (long)c.Length);
        // deflate expands at most ~1032:1, so a tiny file claiming a huge image is refused before any pixel buffer exists
        int samples = color switch { 0 or 3 => 1, 4 => 2, 2 => 3, _ => 4 };
        long raw = height * (((long)width * samples * depth + 7) / 8 + 1);
        if (raw > MaxDeflateRatio * compressed + 1024)
            throw new DataFormatException(path, $"truncated PNG: {compressed} bytes of image data cannot hold a {width}x{height} image");
        var data = new byte[compressed];
        int to = 0;
        foreach (var (start, len) in idat) { file.Slice(start, len).CopyTo(data.AsSpan(to)); to += len; }
        return new PngStructure { Width = width, Height = height, BitDepth = depth, ColorType = color, Interlaced = interlaced, HasTransparency = trns, ImageData = data,
            Palette = palette, Transparency = transparency };
    }

    static string Name(ReadOnlySpan<byte> type)
    {
        Span<char> c = stackalloc char[4];
        for (int i = 0; i < 4; i++) c[i] = type[i] is >= 32 and < 127 ? (char)type[i] : '?';
        return new string(c);
    }
}
