using BitMiracle.LibTiff.Classic;

namespace UNetSharp.IO;

/// <summary>
/// TIFF to and from <see cref="RasterImage"/> via LibTiff.NET: one page gives [C, H, W], several equal-sized pages (an EM
/// stack such as ISBI train-volume.tif) give [C, D, H, W]. Strip-organised images with 8/16/32-bit integer or 32-bit float
/// samples are read, chunky or planar; tiled, palette and 1-bit images are refused with a clear message.
/// </summary>
public static class TiffFile
{
    /// <summary>Largest total pixel count (all pages x channels) accepted before any page is decoded.</summary>
    public static long MaxSamples { get; set; } = 1L << 29;

    static TiffFile() => Tiff.SetErrorHandler(new ThrowingHandler());

    public static RasterImage Read(string path)
    {
        var pages = ReadPages(path);
        var first = pages[0];
        if (pages.Count == 1) return first;
        foreach (var (page, i) in pages.Select((p, i) => (p, i)))
            if (page.Channels != first.Channels || !page.Shape.SequenceEqual(first.Shape))
                throw new DataFormatException(path, $"page {i} is {page.Channels}x{string.Join("x", page.Shape)}, page 0 is {first.Channels}x{string.Join("x", first.Shape)}: not a stack");
        long plane = first.Voxels;
        var data = new float[checked(plane * pages.Count * first.Channels)];
        for (int c = 0; c < first.Channels; c++)
            for (int d = 0; d < pages.Count; d++)
                Array.Copy(pages[d].Data, c * plane, data, (c * pages.Count + d) * plane, plane);
        return new RasterImage(data, first.Channels, [pages.Count, first.Shape[0], first.Shape[1]], first.BitDepth);
    }

    public static IReadOnlyList<RasterImage> ReadPages(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (IOException e) { throw new DataFormatException(path, $"cannot read ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new DataFormatException(path, $"cannot read ({e.Message})", e); }
        return DecodePages(bytes, path);
    }

    public static IReadOnlyList<RasterImage> DecodePages(byte[] bytes, string path)
    {
        if (bytes.Length < 8 || !(bytes[0] == 'I' && bytes[1] == 'I' || bytes[0] == 'M' && bytes[1] == 'M'))
            throw new DataFormatException(path, "not a TIFF file (bad byte-order mark)");
        TiffStructure.Check(bytes, path);
        try
        {
            using var tiff = Tiff.ClientOpen(path, "r", new MemoryStream(bytes, writable: false), new TiffStream())
                ?? throw new DataFormatException(path, "not a readable TIFF file");
            var pages = new List<RasterImage>();
            long samples = 0;
            do
            {
                if (pages.Count >= 100_000) throw new DataFormatException(path, "more than 100000 pages");
                pages.Add(ReadPage(tiff, path, bytes.LongLength, ref samples));
            }
            while (tiff.ReadDirectory());
            return pages;
        }
        catch (DataFormatException) { throw; }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // LibTiff.NET reports corrupt input through our handler or with whatever exception its code hits
            throw new DataFormatException(path, $"corrupt TIFF ({e.Message.ReplaceLineEndings(" ")})", e);
        }
    }

    /// <summary>No TIFF compression expands more than LZW's ~4096:1, so the file size bounds what a page can really hold.</summary>
    const long MaxExpansion = 4096;

    static RasterImage ReadPage(Tiff tiff, string path, long fileLength, ref long samples)
    {
        int width = Field(tiff, TiffTag.IMAGEWIDTH), height = Field(tiff, TiffTag.IMAGELENGTH);
        int bits = Field(tiff, TiffTag.BITSPERSAMPLE), channels = Field(tiff, TiffTag.SAMPLESPERPIXEL);
        var format = (SampleFormat)Field(tiff, TiffTag.SAMPLEFORMAT);
        var planar = (PlanarConfig)Field(tiff, TiffTag.PLANARCONFIG);
        var photometric = (Photometric)Field(tiff, TiffTag.PHOTOMETRIC);
        string page = $"page {tiff.CurrentDirectory()}";
        if (width <= 0 || height <= 0) throw new DataFormatException(path, $"{page}: size {width}x{height} is not positive");
        if (channels is < 1 or > 4) throw new DataFormatException(path, $"{page}: {channels} samples per pixel (1 to 4 supported)");
        if (tiff.IsTiled()) throw new DataFormatException(path, $"{page}: tiled TIFF is not supported");
        if (photometric == Photometric.PALETTE) throw new DataFormatException(path, $"{page}: palette TIFF is not supported");
        bool supported = (bits, format) switch
        {
            (8 or 16 or 32, SampleFormat.UINT or SampleFormat.INT) => true,
            (32, SampleFormat.IEEEFP) => true,
            _ => false,
        };
        if (!supported) throw new DataFormatException(path, $"{page}: {bits}-bit {format} samples are not supported");
        long pixels = (long)width * height;
        samples += pixels * channels;
        if (samples > MaxSamples) throw new DataFormatException(path, $"image exceeds the {MaxSamples}-sample limit");

        int bytesPerSample = bits / 8;
        if (pixels * channels * bytesPerSample > MaxExpansion * fileLength + 65536)
            throw new DataFormatException(path, $"{page}: a {fileLength}-byte file cannot hold {width}x{height}x{channels} samples");
        CheckStrips(tiff, path, page, fileLength);
        bool separate = planar == PlanarConfig.SEPARATE && channels > 1;
        int perRow = separate ? 1 : channels;
        int scanline = tiff.ScanlineSize();
        if (scanline < width * perRow * bytesPerSample) throw new DataFormatException(path, $"{page}: scanline of {scanline} bytes is too short");
        var buffer = new byte[scanline];
        var data = new float[pixels * channels];
        for (int plane = 0; plane < (separate ? channels : 1); plane++)
            for (int y = 0; y < height; y++)
            {
                if (!tiff.ReadScanline(buffer, y, (short)plane)) throw new DataFormatException(path, $"{page}: cannot read row {y}");
                for (int x = 0; x < width; x++)
                    for (int s = 0; s < perRow; s++)
                    {
                        int c = separate ? plane : s;
                        data[c * pixels + (long)y * width + x] = Sample(buffer, (x * perRow + s) * bytesPerSample, bits, format);
                    }
            }
        return new RasterImage(data, channels, [height, width], bits);
    }

    /// <summary>Every strip must lie inside the file; LibTiff would otherwise size its read buffer from the forged count.</summary>
    static void CheckStrips(Tiff tiff, string path, string page, long fileLength)
    {
        var offsets = tiff.GetField(TiffTag.STRIPOFFSETS);
        var counts = tiff.GetField(TiffTag.STRIPBYTECOUNTS);
        if (offsets is not { Length: > 0 } || counts is not { Length: > 0 }) throw new DataFormatException(path, $"{page}: no strip offsets or byte counts");
        long[] offset = offsets[0].TolongArray() ?? offsets[0].ToIntArray()?.Select(v => (long)(uint)v).ToArray() ?? [];
        long[] count = counts[0].TolongArray() ?? counts[0].ToIntArray()?.Select(v => (long)(uint)v).ToArray() ?? [];
        if (offset.Length == 0 || offset.Length != count.Length) throw new DataFormatException(path, $"{page}: {offset.Length} strip offsets but {count.Length} byte counts");
        for (int i = 0; i < offset.Length; i++)
            if (offset[i] < 0 || count[i] < 0 || offset[i] + count[i] > fileLength)
                throw new DataFormatException(path, $"{page}: strip {i} ({count[i]} bytes at {offset[i]}) lies beyond the end of the file");
    }

    static float Sample(byte[] b, int o, int bits, SampleFormat format) => (bits, format) switch
    {
        (8, SampleFormat.INT) => (sbyte)b[o],
        (8, _) => b[o],
        (16, SampleFormat.INT) => BitConverter.ToInt16(b, o),
        (16, _) => BitConverter.ToUInt16(b, o),
        (32, SampleFormat.INT) => BitConverter.ToInt32(b, o),
        (32, SampleFormat.IEEEFP) => BitConverter.ToSingle(b, o),
        _ => BitConverter.ToUInt32(b, o),
    };

    static int Field(Tiff tiff, TiffTag tag)
    {
        var value = tiff.GetFieldDefaulted(tag) ?? tiff.GetField(tag);
        return value is { Length: > 0 } ? value[0].ToInt() : 0;
    }

    /// <summary>Writes [C, H, W] or [C, D, H, W] (one page per slice), chunky, LZW-compressed; 8/16-bit unsigned
    /// integers (values must be whole and in range) or 32-bit float.</summary>
    public static void Write(string path, RasterImage image, int bitDepth = 8)
    {
        if (bitDepth is not (8 or 16 or 32)) throw new ArgumentException($"TIFF bit depth must be 8, 16 or 32 (float), got {bitDepth}");
        if (image.Channels is not (1 or 3 or 4)) throw new ArgumentException($"TIFF writer supports 1, 3 or 4 channels, got {image.Channels}");
        int pages = image.Shape.Length == 3 ? image.Shape[0] : 1;
        int height = image.Shape[^2], width = image.Shape[^1];
        long plane = (long)height * width, volume = plane * pages;
        int bytesPerSample = bitDepth / 8;
        float max = bitDepth == 8 ? 255 : 65535;
        var memory = new MemoryStream();
        using (var tiff = Tiff.ClientOpen(path, "w", memory, new TiffStream()) ?? throw new IOException($"{path}: cannot create TIFF"))
        {
            var row = new byte[width * image.Channels * bytesPerSample];
            for (int p = 0; p < pages; p++)
            {
                tiff.SetField(TiffTag.IMAGEWIDTH, width);
                tiff.SetField(TiffTag.IMAGELENGTH, height);
                tiff.SetField(TiffTag.BITSPERSAMPLE, bitDepth);
                tiff.SetField(TiffTag.SAMPLESPERPIXEL, image.Channels);
                tiff.SetField(TiffTag.SAMPLEFORMAT, bitDepth == 32 ? SampleFormat.IEEEFP : SampleFormat.UINT);
                tiff.SetField(TiffTag.PHOTOMETRIC, image.Channels == 1 ? Photometric.MINISBLACK : Photometric.RGB);
                if (image.Channels == 4) tiff.SetField(TiffTag.EXTRASAMPLES, 1, new short[] { (short)ExtraSample.UNASSALPHA });
                tiff.SetField(TiffTag.PLANARCONFIG, PlanarConfig.CONTIG);
                tiff.SetField(TiffTag.COMPRESSION, Compression.LZW);
                tiff.SetField(TiffTag.ROWSPERSTRIP, Math.Max(1, 65536 / row.Length));
                if (pages > 1) { tiff.SetField(TiffTag.SUBFILETYPE, FileType.PAGE); tiff.SetField(TiffTag.PAGENUMBER, p, pages); }
                for (int y = 0; y < height; y++)
                {
                    for (int x = 0; x < width; x++)
                        for (int c = 0; c < image.Channels; c++)
                        {
                            float v = image.Data[c * volume + p * plane + (long)y * width + x];
                            int o = (x * image.Channels + c) * bytesPerSample;
                            if (bitDepth == 32) { BitConverter.TryWriteBytes(row.AsSpan(o), v); continue; }
                            if (!(v >= 0 && v <= max) || v != MathF.Floor(v)) throw new ArgumentException($"value {v} is not a whole number in 0..{max}");
                            if (bitDepth == 8) row[o] = (byte)v; else BitConverter.TryWriteBytes(row.AsSpan(o), (ushort)v);
                        }
                    if (!tiff.WriteScanline(row, y)) throw new IOException($"{path}: writing row {y} failed");
                }
                if (!tiff.WriteDirectory()) throw new IOException($"{path}: writing page {p} failed");
            }
        }
        AtomicFile.WriteAllBytes(path, memory.ToArray());
    }

    /// <summary>Turns LibTiff's error reports (printed to stderr by default) into exceptions; warnings are dropped.</summary>
    sealed class ThrowingHandler : TiffErrorHandler
    {
        public override void ErrorHandler(Tiff tif, string method, string format, params object[] args) =>
            throw new InvalidDataException($"{method}: {SafeFormat(format, args)}");
        public override void ErrorHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }
        public override void WarningHandler(Tiff tif, string method, string format, params object[] args) { }
        public override void WarningHandlerExt(Tiff tif, object clientData, string method, string format, params object[] args) { }

        static string SafeFormat(string format, object[] args)
        {
            try { return string.Format(System.Globalization.CultureInfo.InvariantCulture, format, args); }
            catch (FormatException) { return format; }
        }
    }
}
