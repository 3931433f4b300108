using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace UNetSharp.IO.Dicom;

/// <summary>
/// One DICOM Part 10 file parsed by a bounded, managed reader: the file meta group, the data set's elements (nested
/// sequences kept as item lists) and where the pixel data lies (native, or encapsulated fragments that
/// <see cref="GdcmCodec"/> decodes). Only little-endian transfer syntaxes are accepted; every length is checked against
/// the bytes that are really there, so a truncated file or a lying length is refused with a <see cref="DataFormatException"/>.
/// </summary>
public sealed class DicomFile
{
    public const string ImplicitVrLittleEndian = "1.2.840.10008.1.2";
    public const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";
    public const string DeflatedExplicitVrLittleEndian = "1.2.840.10008.1.2.1.99";
    public const string ExplicitVrBigEndian = "1.2.840.10008.1.2.2";

    /// <summary>Lossless compressed syntaxes decoded through GDCM, by UID, with a readable name.</summary>
    public static readonly IReadOnlyDictionary<string, string> CompressedSyntaxes = new Dictionary<string, string>
    {
        ["1.2.840.10008.1.2.4.57"] = "JPEG Lossless",
        ["1.2.840.10008.1.2.4.70"] = "JPEG Lossless SV1",
        ["1.2.840.10008.1.2.4.80"] = "JPEG-LS lossless",
        ["1.2.840.10008.1.2.4.81"] = "JPEG-LS near-lossless",
        ["1.2.840.10008.1.2.4.90"] = "JPEG 2000 lossless",
        ["1.2.840.10008.1.2.4.91"] = "JPEG 2000",
        ["1.2.840.10008.1.2.5"] = "RLE lossless",
    };

    const int MaxElements = 1_000_000;
    const int MaxDepth = 16;
    public const uint PixelDataTag = 0x7FE00010;

    DicomFile(string path, string transferSyntax, DicomElements elements, long pixelOffset, long pixelLength, bool encapsulated)
    {
        Path = path; TransferSyntax = transferSyntax; Elements = elements;
        PixelOffset = pixelOffset; PixelLength = pixelLength; Encapsulated = encapsulated;
    }

    public string Path { get; }
    public string TransferSyntax { get; }
    public DicomElements Elements { get; }

    /// <summary>Byte offset and length of the native pixel data (Encapsulated false), -1 when the file has none.</summary>
    public long PixelOffset { get; }
    public long PixelLength { get; }
    public bool Encapsulated { get; }
    public bool HasPixelData => PixelOffset >= 0;

    /// <summary>True when the file starts with a 128-byte preamble and "DICM" (cheap check before parsing).</summary>
    public static bool LooksLikeDicom(string path)
    {
        try
        {
            using var s = File.OpenRead(path);
            if (s.Length < 132) return false;
            Span<byte> head = stackalloc byte[132];
            s.ReadExactly(head);
            return head[128] == 'D' && head[129] == 'I' && head[130] == 'C' && head[131] == 'M';
        }
        catch (IOException) { return false; }
        catch (UnauthorizedAccessException) { return false; }
    }

    public static DicomFile Read(string path, long maxBytes = int.MaxValue)
    {
        byte[] bytes;
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) throw new DataFormatException(path, "file not found");
            if (info.Length > maxBytes) throw new DataFormatException(path, $"{info.Length} bytes exceeds the {maxBytes}-byte limit for one DICOM file");
            bytes = File.ReadAllBytes(path);
        }
        catch (IOException e) { throw new DataFormatException(path, $"cannot read ({e.Message})", e); }
        catch (UnauthorizedAccessException e) { throw new DataFormatException(path, $"cannot read ({e.Message})", e); }
        return Parse(path, bytes);
    }

    public static DicomFile Parse(string path, byte[] bytes)
    {
        if (bytes.Length < 132 || bytes[128] != 'D' || bytes[129] != 'I' || bytes[130] != 'C' || bytes[131] != 'M')
            throw new DataFormatException(path, "not a DICOM Part 10 file (no 'DICM' after the 128-byte preamble)");
        var reader = new Reader(path, bytes, 132);
        // file meta group (0002,xxxx): always explicit VR little endian
        var meta = new DicomElements();
        while (reader.Position + 4 <= bytes.Length && BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(reader.Position)) == 0x0002)
            reader.ReadElement(meta, explicitVr: true, depth: 0, stopAtPixelData: false);
        string ts = meta.String(0x00020010) ?? throw new DataFormatException(path, "file meta group has no TransferSyntaxUID (0002,0010)");
        bool explicitVr;
        if (ts == ImplicitVrLittleEndian) explicitVr = false;
        else if (ts == ExplicitVrLittleEndian || CompressedSyntaxes.ContainsKey(ts)) explicitVr = true;
        else if (ts == ExplicitVrBigEndian) throw new DataFormatException(path, "transfer syntax Explicit VR Big Endian (retired) is not supported; convert with 'gdcmconv --raw'");
        else if (ts == DeflatedExplicitVrLittleEndian) throw new DataFormatException(path, "transfer syntax Deflated Explicit VR Little Endian is not supported; convert with 'gdcmconv --raw'");
        else throw new DataFormatException(path, $"transfer syntax {ts} is not supported (lossy or unknown); supported: implicit/explicit VR little endian, {string.Join(", ", CompressedSyntaxes.Values.Distinct())}");
        var elements = new DicomElements();
        foreach (var (tag, e) in meta.All) elements.Set(tag, e);
        while (reader.Position < bytes.Length)
        {
            if (bytes.Length - reader.Position < 8) throw new DataFormatException(path, $"truncated element header at byte {reader.Position}");
            if (reader.ReadElement(elements, explicitVr, depth: 0, stopAtPixelData: true) is { } pixel)
                return new DicomFile(path, ts, elements, pixel.Offset, pixel.Length, pixel.Encapsulated);
        }
        return new DicomFile(path, ts, elements, -1, 0, false);
    }

    /// <summary>Native pixel bytes (throws when the data are encapsulated).</summary>
    public ReadOnlySpan<byte> NativePixels(byte[] bytes) => bytes.AsSpan((int)PixelOffset, (int)PixelLength);

    sealed class Reader(string path, byte[] bytes, int position)
    {
        public int Position = position;
        int count;

        public (int Offset, long Length, bool Encapsulated)? ReadElement(DicomElements into, bool explicitVr, int depth, bool stopAtPixelData)
        {
            if (++count > MaxElements) throw new DataFormatException(path, $"more than {MaxElements} elements");
            int start = Position;
            uint tag = ReadTag();
            string vr;
            long length;
            if (tag is 0xFFFEE000 or 0xFFFEE00D or 0xFFFEE0DD)
                throw new DataFormatException(path, $"unexpected item delimiter {TagText(tag)} at byte {start}");
            if (explicitVr)
            {
                Need(2);
                vr = Encoding.ASCII.GetString(bytes, Position, 2);
                Position += 2;
                if (vr is "OB" or "OW" or "OF" or "OD" or "OL" or "OV" or "SQ" or "UT" or "UN" or "UC" or "UR" or "SV" or "UV")
                {
                    Need(6);
                    Position += 2;
                    length = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Position));
                    Position += 4;
                }
                else
                {
                    if (!(char.IsAsciiLetterUpper(vr[0]) && char.IsAsciiLetterUpper(vr[1])))
                        throw new DataFormatException(path, $"element {TagText(tag)} at byte {start} has an invalid VR '{Printable(vr)}'");
                    Need(2);
                    length = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(Position));
                    Position += 2;
                }
            }
            else
            {
                Need(4);
                length = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Position));
                Position += 4;
                vr = tag == PixelDataTag ? "OW" : DicomElements.ImplicitVr(tag);
            }
            bool undefined = length == 0xFFFFFFFF;
            if (tag == PixelDataTag && stopAtPixelData && depth == 0)
            {
                if (undefined)
                {
                    int offset = Position;
                    SkipEncapsulated(tag);
                    return (offset, Position - offset, true);
                }
                if (length > bytes.Length - Position)
                    throw new DataFormatException(path, $"pixel data (7FE0,0010) claims {length} bytes but only {bytes.Length - Position} remain (truncated file or lying length)");
                var native = (Position, length, false);
                Position += (int)length;
                return native;
            }
            if (vr == "SQ" || (undefined && vr == "UN"))
            {
                if (depth >= MaxDepth) throw new DataFormatException(path, $"sequences nested deeper than {MaxDepth}");
                // UN with undefined length is a sequence in implicit VR little endian
                bool itemsExplicit = vr == "UN" ? false : explicitVr;
                var items = ReadSequence(tag, length, itemsExplicit, depth);
                into.Set(tag, new DicomElement("SQ", [], items));
                return null;
            }
            if (undefined) throw new DataFormatException(path, $"element {TagText(tag)} (VR {vr}) at byte {start} has undefined length");
            if (length > bytes.Length - Position)
                throw new DataFormatException(path, $"element {TagText(tag)} at byte {start} claims {length} bytes but only {bytes.Length - Position} remain (truncated file or lying length)");
            // keep short values only (strings, numbers); big blobs (overlays, private data) are skipped
            var value = length <= 4096 ? bytes.AsSpan(Position, (int)length).ToArray() : [];
            into.Set(tag, new DicomElement(vr, value, null));
            Position += (int)length;
            return null;
        }

        List<DicomElements> ReadSequence(uint tag, long length, bool explicitVr, int depth)
        {
            var items = new List<DicomElements>();
            long end = length == 0xFFFFFFFF ? long.MaxValue : Position + length;
            if (end != long.MaxValue && end > bytes.Length)
                throw new DataFormatException(path, $"sequence {TagText(tag)} claims {length} bytes but only {bytes.Length - Position} remain");
            while (Position < end)
            {
                uint itemTag = ReadTag();
                Need(4);
                long itemLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Position));
                Position += 4;
                if (itemTag == 0xFFFEE0DD) return items; // sequence delimiter
                if (itemTag != 0xFFFEE000) throw new DataFormatException(path, $"sequence {TagText(tag)} holds {TagText(itemTag)} where an item (FFFE,E000) was expected");
                var item = new DicomElements();
                long itemEnd = itemLength == 0xFFFFFFFF ? long.MaxValue : Position + itemLength;
                if (itemEnd != long.MaxValue && itemEnd > (end == long.MaxValue ? bytes.Length : end))
                    throw new DataFormatException(path, $"item of sequence {TagText(tag)} claims {itemLength} bytes, more than its sequence holds");
                while (Position < itemEnd)
                {
                    if (itemEnd == long.MaxValue)
                    {
                        Need(8);
                        if (BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Position)) == 0xE00DFFFE) { Position += 8; break; }
                    }
                    ReadElement(item, explicitVr, depth + 1, stopAtPixelData: false);
                }
                if (itemEnd != long.MaxValue && Position != itemEnd) throw new DataFormatException(path, $"item of sequence {TagText(tag)} overruns its length");
                items.Add(item);
            }
            if (end != long.MaxValue && Position != end) throw new DataFormatException(path, $"sequence {TagText(tag)} overruns its length");
            if (end == long.MaxValue) throw new DataFormatException(path, $"sequence {TagText(tag)} has no delimiter (truncated file)");
            return items;
        }

        void SkipEncapsulated(uint tag)
        {
            while (true)
            {
                uint itemTag = ReadTag();
                Need(4);
                long itemLength = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(Position));
                Position += 4;
                if (itemTag == 0xFFFEE0DD) return;
                if (itemTag != 0xFFFEE000) throw new DataFormatException(path, $"encapsulated pixel data holds {TagText(itemTag)} where a fragment item was expected");
                if (itemLength > bytes.Length - Position) throw new DataFormatException(path, $"pixel data fragment claims {itemLength} bytes but only {bytes.Length - Position} remain (truncated file or lying length)");
                Position += (int)itemLength;
            }
        }

        uint ReadTag()
        {
            Need(4);
            uint group = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(Position));
            uint element = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(Position + 2));
            Position += 4;
            return group << 16 | element;
        }

        void Need(int n)
        {
            if (bytes.Length - Position < n) throw new DataFormatException(path, $"truncated at byte {Position} (needs {n} more bytes)");
        }

        static string Printable(string s) => new(s.Select(c => c is >= ' ' and < (char)127 ? c : '?').ToArray());
    }

    public static string TagText(uint tag) => $"({tag >> 16:X4},{tag & 0xFFFF:X4})";
}

/// <summary>A parsed element: VR, value bytes (short values only), items when it is a sequence.</summary>
public sealed record DicomElement(string Vr, byte[] Value, List<DicomElements>? Items);

/// <summary>Elements of one data set or sequence item, by tag, with typed accessors.</summary>
public sealed class DicomElements
{
    readonly Dictionary<uint, DicomElement> map = [];

    public IEnumerable<KeyValuePair<uint, DicomElement>> All => map;

    internal void Set(uint tag, DicomElement e) => map[tag] = e;

    public bool Has(uint tag) => map.ContainsKey(tag);

    public DicomElement? Get(uint tag) => map.GetValueOrDefault(tag);

    public string? String(uint tag) =>
        map.TryGetValue(tag, out var e) && e.Items is null ? Encoding.ASCII.GetString(e.Value).TrimEnd('\0', ' ').TrimStart(' ') : null;

    /// <summary>Backslash-separated decimal strings (DS/IS); null when absent, throws via <paramref name="path"/> when malformed.</summary>
    public double[]? Numbers(uint tag, string path)
    {
        string? s = String(tag);
        if (s is null || s.Length == 0) return null;
        var parts = s.Split('\\');
        var result = new double[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!double.TryParse(parts[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out result[i]) || !double.IsFinite(result[i]))
                throw new DataFormatException(path, $"{DicomTags.Name(tag)} {DicomFile.TagText(tag)} value '{Trimmed(s)}' is not a list of numbers");
        return result;
    }

    public double? Number(uint tag, string path) => Numbers(tag, path) is { Length: > 0 } n ? n[0] : null;

    /// <summary>US value (binary in explicit VR; also binary in implicit VR where the dictionary says US).</summary>
    public int? UShort(uint tag, string path)
    {
        if (!map.TryGetValue(tag, out var e) || e.Value.Length == 0) return null;
        if (e.Vr is "IS" or "DS") return Number(tag, path) is double d ? (int)d : null;
        if (e.Value.Length < 2) throw new DataFormatException(path, $"{DicomTags.Name(tag)} {DicomFile.TagText(tag)} has {e.Value.Length} bytes; expected 2 (wrong VR?)");
        return BinaryPrimitives.ReadUInt16LittleEndian(e.Value);
    }

    public IReadOnlyList<DicomElements> Items(uint tag) => map.TryGetValue(tag, out var e) && e.Items is { } items ? items : [];

    static string Trimmed(string s) => s.Length > 40 ? s[..40] + "…" : s;

    /// <summary>VRs of the tags we read, for implicit VR files (everything else is treated as opaque bytes).</summary>
    internal static string ImplicitVr(uint tag) => tag switch
    {
        0x00280002 or 0x00280010 or 0x00280011 or 0x00280100 or 0x00280101 or 0x00280102 or 0x00280103 => "US",
        0x52009229 or 0x52009230 or 0x00209113 or 0x00209116 or 0x00289110 or 0x00289145 or 0x00081115 or 0x00081140 or 0x00082112 or 0x00041220 => "SQ",
        _ => "UN",
    };
}

/// <summary>Tags the series reader uses, with their keywords for messages.</summary>
public static class DicomTags
{
    public const uint TransferSyntaxUid = 0x00020010;
    public const uint MediaStorageSopClassUid = 0x00020002;
    public const uint SopClassUid = 0x00080016;
    public const uint Modality = 0x00080060;
    public const uint SeriesDescription = 0x0008103E;
    public const uint SliceThickness = 0x00180050;
    public const uint SpacingBetweenSlices = 0x00180088;
    public const uint GantryDetectorTilt = 0x00181120;
    public const uint StudyInstanceUid = 0x0020000D;
    public const uint SeriesInstanceUid = 0x0020000E;
    public const uint InstanceNumber = 0x00200013;
    public const uint ImagePositionPatient = 0x00200032;
    public const uint ImageOrientationPatient = 0x00200037;
    public const uint SamplesPerPixel = 0x00280002;
    public const uint PhotometricInterpretation = 0x00280004;
    public const uint NumberOfFrames = 0x00280008;
    public const uint Rows = 0x00280010;
    public const uint Columns = 0x00280011;
    public const uint PixelSpacing = 0x00280030;
    public const uint BitsAllocated = 0x00280100;
    public const uint BitsStored = 0x00280101;
    public const uint PixelRepresentation = 0x00280103;
    public const uint RescaleIntercept = 0x00281052;
    public const uint RescaleSlope = 0x00281053;
    public const uint SharedFunctionalGroups = 0x52009229;
    public const uint PerFrameFunctionalGroups = 0x52009230;
    public const uint PlanePositionSequence = 0x00209113;
    public const uint PlaneOrientationSequence = 0x00209116;
    public const uint PixelMeasuresSequence = 0x00289110;
    public const uint PixelValueTransformationSequence = 0x00289145;

    public static string Name(uint tag) => tag switch
    {
        TransferSyntaxUid => "TransferSyntaxUID",
        Modality => "Modality",
        SliceThickness => "SliceThickness",
        SpacingBetweenSlices => "SpacingBetweenSlices",
        GantryDetectorTilt => "GantryDetectorTilt",
        SeriesInstanceUid => "SeriesInstanceUID",
        ImagePositionPatient => "ImagePositionPatient",
        ImageOrientationPatient => "ImageOrientationPatient",
        SamplesPerPixel => "SamplesPerPixel",
        NumberOfFrames => "NumberOfFrames",
        Rows => "Rows",
        Columns => "Columns",
        PixelSpacing => "PixelSpacing",
        BitsAllocated => "BitsAllocated",
        BitsStored => "BitsStored",
        PixelRepresentation => "PixelRepresentation",
        RescaleIntercept => "RescaleIntercept",
        RescaleSlope => "RescaleSlope",
        _ => "element",
    };
}
