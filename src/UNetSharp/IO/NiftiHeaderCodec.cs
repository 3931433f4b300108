using System.Buffers.Binary;

namespace UNetSharp.IO;

/// <summary>Byte layout of NIfTI-1 and NIfTI-2 headers in either byte order. Parsing checks only the layout (size, magic);
/// <see cref="NiftiFile"/> checks that the values make sense.</summary>
public static class NiftiHeaderCodec
{
    static readonly byte[] Magic1Single = "n+1\0"u8.ToArray();
    static readonly byte[] Magic2Single = "n+2\0\r\n\x1A\n"u8.ToArray();

    /// <summary>Reads the version and byte order from sizeof_hdr (348 or 540, either order); throws for anything else.</summary>
    public static (int Version, bool LittleEndian) Detect(ReadOnlySpan<byte> first4, string path)
    {
        if (first4.Length < 4) throw new DataFormatException(path, "file too short for a NIfTI header");
        int le = BinaryPrimitives.ReadInt32LittleEndian(first4), be = BinaryPrimitives.ReadInt32BigEndian(first4);
        if (le == NiftiHeader.Nifti1Size) return (1, true);
        if (be == NiftiHeader.Nifti1Size) return (1, false);
        if (le == NiftiHeader.Nifti2Size) return (2, true);
        if (be == NiftiHeader.Nifti2Size) return (2, false);
        throw new DataFormatException(path, $"not a NIfTI file (sizeof_hdr is {le}, expected 348 or 540)");
    }

    public static NiftiHeader Parse(ReadOnlySpan<byte> bytes, string path)
    {
        var (version, little) = Detect(bytes, path);
        var h = new NiftiHeader { Version = version, LittleEndian = little };
        if (bytes.Length < h.HeaderSize) throw new DataFormatException(path, $"file too short for a NIfTI-{version} header ({bytes.Length} of {h.HeaderSize} bytes)");
        var r = new Reader(bytes, little);
        if (version == 1) Parse1(h, r); else Parse2(h, r);
        bool magicOk = version == 1 ? h.Magic.AsSpan().SequenceEqual(Magic1Single) : h.Magic.AsSpan().SequenceEqual(Magic2Single);
        if (!magicOk)
        {
            string shown = System.Text.Encoding.ASCII.GetString(h.Magic).Replace("\0", "\\0").Replace("\r", "\\r").Replace("\n", "\\n");
            bool pair = h.Magic.Length >= 3 && h.Magic[0] == 'n' && h.Magic[1] == 'i';
            throw new DataFormatException(path, pair
                ? $"NIfTI header/image pair (magic '{shown}') is not supported; convert to a single .nii/.nii.gz file"
                : $"wrong NIfTI-{version} magic '{shown}'");
        }
        return h;
    }

    static void Parse1(NiftiHeader h, Reader r)
    {
        h.LegacyDataType = r.Bytes(4, 10);
        h.LegacyDbName = r.Bytes(14, 18);
        h.LegacyExtents = r.I32(32);
        h.LegacySessionError = r.I16(36);
        h.LegacyRegular = r.U8(38);
        h.DimInfo = r.U8(39);
        for (int i = 0; i < 8; i++) h.Dim[i] = r.I16(40 + 2 * i);
        h.IntentP1 = r.F32(56); h.IntentP2 = r.F32(60); h.IntentP3 = r.F32(64);
        h.IntentCode = r.I16(68);
        h.DataType = r.I16(70);
        h.BitPix = r.I16(72);
        h.SliceStart = r.I16(74);
        for (int i = 0; i < 8; i++) h.PixDim[i] = r.F32(76 + 4 * i);
        h.VoxOffset = r.F32(108);
        h.SclSlope = r.F32(112); h.SclInter = r.F32(116);
        h.SliceEnd = r.I16(120);
        h.SliceCode = r.U8(122);
        h.XyztUnits = r.U8(123);
        h.CalMax = r.F32(124); h.CalMin = r.F32(128);
        h.SliceDuration = r.F32(132); h.TOffset = r.F32(136);
        h.LegacyGlMax = r.I32(140); h.LegacyGlMin = r.I32(144);
        h.Descrip = r.Bytes(148, 80);
        h.AuxFile = r.Bytes(228, 24);
        h.QformCode = r.I16(252); h.SformCode = r.I16(254);
        h.QuaternB = r.F32(256); h.QuaternC = r.F32(260); h.QuaternD = r.F32(264);
        h.QOffsetX = r.F32(268); h.QOffsetY = r.F32(272); h.QOffsetZ = r.F32(276);
        for (int i = 0; i < 4; i++) { h.SRowX[i] = r.F32(280 + 4 * i); h.SRowY[i] = r.F32(296 + 4 * i); h.SRowZ[i] = r.F32(312 + 4 * i); }
        h.IntentName = r.Bytes(328, 16);
        h.Magic = r.Bytes(344, 4);
    }

    static void Parse2(NiftiHeader h, Reader r)
    {
        h.Magic = r.Bytes(4, 8);
        h.DataType = r.I16(12);
        h.BitPix = r.I16(14);
        for (int i = 0; i < 8; i++) h.Dim[i] = r.I64(16 + 8 * i);
        h.IntentP1 = r.F64(80); h.IntentP2 = r.F64(88); h.IntentP3 = r.F64(96);
        for (int i = 0; i < 8; i++) h.PixDim[i] = r.F64(104 + 8 * i);
        h.VoxOffset = r.I64(168);
        h.SclSlope = r.F64(176); h.SclInter = r.F64(184);
        h.CalMax = r.F64(192); h.CalMin = r.F64(200);
        h.SliceDuration = r.F64(208); h.TOffset = r.F64(216);
        h.SliceStart = r.I64(224); h.SliceEnd = r.I64(232);
        h.Descrip = r.Bytes(240, 80);
        h.AuxFile = r.Bytes(320, 24);
        h.QformCode = r.I32(344); h.SformCode = r.I32(348);
        h.QuaternB = r.F64(352); h.QuaternC = r.F64(360); h.QuaternD = r.F64(368);
        h.QOffsetX = r.F64(376); h.QOffsetY = r.F64(384); h.QOffsetZ = r.F64(392);
        for (int i = 0; i < 4; i++) { h.SRowX[i] = r.F64(400 + 8 * i); h.SRowY[i] = r.F64(432 + 8 * i); h.SRowZ[i] = r.F64(464 + 8 * i); }
        h.SliceCode = r.I32(496);
        h.XyztUnits = r.I32(500);
        h.IntentCode = r.I32(504);
        h.IntentName = r.Bytes(508, 16);
        h.DimInfo = r.U8(524);
        h.Nifti2Unused = r.Bytes(525, 15);
    }

    /// <summary>The header's bytes in its own version and byte order. Values that do not fit the version's field types throw.</summary>
    public static byte[] Serialize(NiftiHeader h)
    {
        var bytes = new byte[h.HeaderSize];
        var w = new Writer(bytes, h.LittleEndian);
        w.I32(0, h.HeaderSize);
        if (h.Version == 1) Serialize1(h, w);
        else if (h.Version == 2) Serialize2(h, w);
        else throw new ArgumentException($"NIfTI version {h.Version} is not 1 or 2");
        return bytes;
    }

    static void Serialize1(NiftiHeader h, Writer w)
    {
        w.Bytes(4, h.LegacyDataType, 10);
        w.Bytes(14, h.LegacyDbName, 18);
        w.I32(32, h.LegacyExtents);
        w.I16(36, h.LegacySessionError);
        w.U8(38, h.LegacyRegular);
        w.U8(39, h.DimInfo);
        for (int i = 0; i < 8; i++) w.I16(40 + 2 * i, checked((short)h.Dim[i]));
        w.F32(56, h.IntentP1); w.F32(60, h.IntentP2); w.F32(64, h.IntentP3);
        w.I16(68, checked((short)h.IntentCode));
        w.I16(70, h.DataType);
        w.I16(72, h.BitPix);
        w.I16(74, checked((short)h.SliceStart));
        for (int i = 0; i < 8; i++) w.F32(76 + 4 * i, h.PixDim[i]);
        w.F32(108, h.VoxOffset);
        w.F32(112, h.SclSlope); w.F32(116, h.SclInter);
        w.I16(120, checked((short)h.SliceEnd));
        w.U8(122, checked((byte)h.SliceCode));
        w.U8(123, checked((byte)h.XyztUnits));
        w.F32(124, h.CalMax); w.F32(128, h.CalMin);
        w.F32(132, h.SliceDuration); w.F32(136, h.TOffset);
        w.I32(140, h.LegacyGlMax); w.I32(144, h.LegacyGlMin);
        w.Bytes(148, h.Descrip, 80);
        w.Bytes(228, h.AuxFile, 24);
        w.I16(252, checked((short)h.QformCode)); w.I16(254, checked((short)h.SformCode));
        w.F32(256, h.QuaternB); w.F32(260, h.QuaternC); w.F32(264, h.QuaternD);
        w.F32(268, h.QOffsetX); w.F32(272, h.QOffsetY); w.F32(276, h.QOffsetZ);
        for (int i = 0; i < 4; i++) { w.F32(280 + 4 * i, h.SRowX[i]); w.F32(296 + 4 * i, h.SRowY[i]); w.F32(312 + 4 * i, h.SRowZ[i]); }
        w.Bytes(328, h.IntentName, 16);
        w.Bytes(344, h.Magic, 4);
    }

    static void Serialize2(NiftiHeader h, Writer w)
    {
        w.Bytes(4, h.Magic, 8);
        w.I16(12, h.DataType);
        w.I16(14, h.BitPix);
        for (int i = 0; i < 8; i++) w.I64(16 + 8 * i, h.Dim[i]);
        w.F64(80, h.IntentP1); w.F64(88, h.IntentP2); w.F64(96, h.IntentP3);
        for (int i = 0; i < 8; i++) w.F64(104 + 8 * i, h.PixDim[i]);
        w.I64(168, checked((long)h.VoxOffset));
        w.F64(176, h.SclSlope); w.F64(184, h.SclInter);
        w.F64(192, h.CalMax); w.F64(200, h.CalMin);
        w.F64(208, h.SliceDuration); w.F64(216, h.TOffset);
        w.I64(224, h.SliceStart); w.I64(232, h.SliceEnd);
        w.Bytes(240, h.Descrip, 80);
        w.Bytes(320, h.AuxFile, 24);
        w.I32(344, h.QformCode); w.I32(348, h.SformCode);
        w.F64(352, h.QuaternB); w.F64(360, h.QuaternC); w.F64(368, h.QuaternD);
        w.F64(376, h.QOffsetX); w.F64(384, h.QOffsetY); w.F64(392, h.QOffsetZ);
        for (int i = 0; i < 4; i++) { w.F64(400 + 8 * i, h.SRowX[i]); w.F64(432 + 8 * i, h.SRowY[i]); w.F64(464 + 8 * i, h.SRowZ[i]); }
        w.I32(496, h.SliceCode);
        w.I32(500, h.XyztUnits);
        w.I32(504, h.IntentCode);
        w.Bytes(508, h.IntentName, 16);
        w.U8(524, h.DimInfo);
        w.Bytes(525, h.Nifti2Unused, 15);
    }

    readonly ref struct Reader(ReadOnlySpan<byte> b, bool little)
    {
        readonly ReadOnlySpan<byte> b = b;
        public byte U8(int o) => b[o];
        public short I16(int o) => little ? BinaryPrimitives.ReadInt16LittleEndian(b[o..]) : BinaryPrimitives.ReadInt16BigEndian(b[o..]);
        public int I32(int o) => little ? BinaryPrimitives.ReadInt32LittleEndian(b[o..]) : BinaryPrimitives.ReadInt32BigEndian(b[o..]);
        public long I64(int o) => little ? BinaryPrimitives.ReadInt64LittleEndian(b[o..]) : BinaryPrimitives.ReadInt64BigEndian(b[o..]);
        public double F32(int o) => little ? BinaryPrimitives.ReadSingleLittleEndian(b[o..]) : BinaryPrimitives.ReadSingleBigEndian(b[o..]);
        public double F64(int o) => little ? BinaryPrimitives.ReadDoubleLittleEndian(b[o..]) : BinaryPrimitives.ReadDoubleBigEndian(b[o..]);
        public byte[] Bytes(int o, int n) => b.Slice(o, n).ToArray();
    }

    readonly ref struct Writer(Span<byte> b, bool little)
    {
        readonly Span<byte> b = b;
        public void U8(int o, byte v) => b[o] = v;
        public void I16(int o, short v) { if (little) BinaryPrimitives.WriteInt16LittleEndian(b[o..], v); else BinaryPrimitives.WriteInt16BigEndian(b[o..], v); }
        public void I32(int o, int v) { if (little) BinaryPrimitives.WriteInt32LittleEndian(b[o..], v); else BinaryPrimitives.WriteInt32BigEndian(b[o..], v); }
        public void I64(int o, long v) { if (little) BinaryPrimitives.WriteInt64LittleEndian(b[o..], v); else BinaryPrimitives.WriteInt64BigEndian(b[o..], v); }
        public void F32(int o, double v) { if (little) BinaryPrimitives.WriteSingleLittleEndian(b[o..], (float)v); else BinaryPrimitives.WriteSingleBigEndian(b[o..], (float)v); }
        public void F64(int o, double v) { if (little) BinaryPrimitives.WriteDoubleLittleEndian(b[o..], v); else BinaryPrimitives.WriteDoubleBigEndian(b[o..], v); }
        public void Bytes(int o, byte[] v, int n)
        {
            if (v.Length != n) throw new ArgumentException($"header byte field at offset {o} must be {n} bytes, got {v.Length}");
            v.CopyTo(b[o..]);
        }
    }
}
