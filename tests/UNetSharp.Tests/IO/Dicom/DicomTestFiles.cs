using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using UNetSharp.IO.Dicom;

namespace UNetSharp.Tests.IO.Dicom;

/// <summary>Writes small, valid DICOM Part 10 files (explicit or implicit VR little endian, native pixels) for the tests
/// that must not depend on the shared data: multi-frame, refused geometries, hostile mutations.</summary>
public static class DicomTestFiles
{
    public sealed record Slice(double[] Position, short[] Pixels, int Rows, int Columns)
    {
        public double[] Orientation { get; init; } = [1, 0, 0, 0, 1, 0];
        public double[] Spacing { get; init; } = [0.8, 0.7];
        public string SeriesUid { get; init; } = "1.2.3.4.5";
        public int Instance { get; init; } = 1;
        public double Slope { get; init; } = 1;
        public double Intercept { get; init; }
        public int Frames { get; init; } = 1;
        public double? GantryTilt { get; init; }
        public bool Implicit { get; init; }
    }

    public static short[] Ramp(int n, int seed) => Enumerable.Range(0, n).Select(i => (short)((i * 37 + seed * 101) % 2000 - 500)).ToArray();

    /// <summary>An axial series of <paramref name="count"/> slices, 1.5 mm apart, written in reverse instance order.</summary>
    public static List<string> Series(string dir, int count = 4, int rows = 6, int columns = 5, Func<int, Slice, Slice>? adjust = null)
    {
        Directory.CreateDirectory(dir);
        var paths = new List<string>();
        for (int k = 0; k < count; k++)
        {
            var slice = new Slice([-10, 20, 30 + 1.5 * k], Ramp(rows * columns, k), rows, columns) { Instance = k + 1 };
            if (adjust is not null) slice = adjust(k, slice);
            string path = Path.Combine(dir, $"IM{count - k:D4}.dcm");
            File.WriteAllBytes(path, Bytes(slice));
            paths.Add(path);
        }
        return paths;
    }

    public static byte[] Bytes(Slice s)
    {
        var body = new MemoryStream();
        bool ex = !s.Implicit;
        void El(ushort g, ushort e, string vr, byte[] value)
        {
            if (value.Length % 2 == 1) value = [.. value, vr is "UI" ? (byte)0 : (byte)' '];
            var w = new BinaryWriter(body);
            w.Write(g); w.Write(e);
            if (ex || g == 2)
            {
                w.Write(Encoding.ASCII.GetBytes(vr));
                if (vr is "OB" or "OW" or "SQ" or "UN" or "UT") { w.Write((ushort)0); w.Write((uint)value.Length); }
                else w.Write((ushort)value.Length);
            }
            else w.Write((uint)value.Length);
            w.Write(value);
        }
        byte[] Str(string v) => Encoding.ASCII.GetBytes(v);
        byte[] Ds(params double[] v) => Str(string.Join('\\', v.Select(x => x.ToString("G10", CultureInfo.InvariantCulture))));
        byte[] Us(int v) { var b = new byte[2]; BinaryPrimitives.WriteUInt16LittleEndian(b, (ushort)v); return b; }

        // file meta (explicit VR LE), group length first
        var meta = new MemoryStream();
        var saved = body; body = meta;
        El(2, 0x0001, "OB", [0, 1]);
        El(2, 0x0002, "UI", Str("1.2.840.10008.5.1.4.1.1.4"));
        El(2, 0x0003, "UI", Str($"1.2.3.{s.Instance}"));
        El(2, 0x0010, "UI", Str(s.Implicit ? DicomFile.ImplicitVrLittleEndian : DicomFile.ExplicitVrLittleEndian));
        body = saved;
        var groupLength = new byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(groupLength, (uint)meta.Length);
        var head = new MemoryStream();
        head.Write(new byte[128]); head.Write("DICM"u8);
        { var w = new BinaryWriter(head); w.Write((ushort)2); w.Write((ushort)0); w.Write("UL"u8); w.Write((ushort)4); w.Write(groupLength); }
        meta.WriteTo(head);

        El(0x0008, 0x0060, "CS", Str("MR"));
        if (s.GantryTilt is double tilt) El(0x0018, 0x1120, "DS", Ds(tilt));
        El(0x0020, 0x000E, "UI", Str(s.SeriesUid));
        El(0x0020, 0x0013, "IS", Str(s.Instance.ToString(CultureInfo.InvariantCulture)));
        El(0x0020, 0x0032, "DS", Ds(s.Position));
        El(0x0020, 0x0037, "DS", Ds(s.Orientation));
        El(0x0028, 0x0002, "US", Us(1));
        El(0x0028, 0x0004, "CS", Str("MONOCHROME2"));
        if (s.Frames != 1) El(0x0028, 0x0008, "IS", Str(s.Frames.ToString(CultureInfo.InvariantCulture)));
        El(0x0028, 0x0010, "US", Us(s.Rows));
        El(0x0028, 0x0011, "US", Us(s.Columns));
        El(0x0028, 0x0030, "DS", Ds(s.Spacing));
        El(0x0028, 0x0100, "US", Us(16));
        El(0x0028, 0x0101, "US", Us(16));
        El(0x0028, 0x0102, "US", Us(15));
        El(0x0028, 0x0103, "US", Us(1));
        El(0x0028, 0x1052, "DS", Ds(s.Intercept));
        El(0x0028, 0x1053, "DS", Ds(s.Slope));
        var pixels = new byte[s.Pixels.Length * 2];
        for (int i = 0; i < s.Pixels.Length; i++) BinaryPrimitives.WriteInt16LittleEndian(pixels.AsSpan(2 * i), s.Pixels[i]);
        El(0x7FE0, 0x0010, "OW", pixels);
        body.WriteTo(head);
        return head.ToArray();
    }
}
