using UNetSharp.IO;

namespace UNetSharp.Tests.IO;

/// <summary>Small synthetic NIfTI images for tests that must run without the shared data.</summary>
internal static class NiftiTestImages
{
    public static NiftiHeader Header(int version, bool little, NiftiDataType type, params long[] sizes)
    {
        var h = new NiftiHeader { Version = version, LittleEndian = little, DataType = (short)type, BitPix = (short)(8 * NiftiDataTypes.BytesPerVoxel((short)type)) };
        h.Magic = version == 2 ? "n+2\0\r\n\x1A\n"u8.ToArray() : "n+1\0"u8.ToArray();
        h.Dim[0] = sizes.Length;
        for (int i = 1; i < 8; i++) h.Dim[i] = i <= sizes.Length ? sizes[i - 1] : 1;
        h.PixDim[0] = 1;
        for (int i = 1; i < 8; i++) h.PixDim[i] = i <= 3 ? 0.5 * i : 1; // 0.5, 1.0, 1.5 mm along x, y, z
        h.SclSlope = 1;
        h.VoxOffset = h.HeaderSize + 4;
        "synthetic test image"u8.CopyTo(h.Descrip);
        return h;
    }

    /// <summary>Voxel i holds a value derived from i that differs for neighbours and covers negatives where the type can.</summary>
    public static Array Voxels(NiftiDataType type, long count)
    {
        var values = Enumerable.Range(0, (int)count).Select(i => (long)(i * 37 % 251) - (Signed(type) ? 100 : 0)).ToArray();
        return type switch
        {
            NiftiDataType.UInt8 => values.Select(v => (byte)v).ToArray(),
            NiftiDataType.Int8 => values.Select(v => (sbyte)v).ToArray(),
            NiftiDataType.Int16 => values.Select(v => (short)(v * 100)).ToArray(),
            NiftiDataType.UInt16 => values.Select(v => (ushort)(v * 200)).ToArray(),
            NiftiDataType.Int32 => values.Select(v => (int)(v * 100000)).ToArray(),
            NiftiDataType.UInt32 => values.Select(v => (uint)(v * 10000000)).ToArray(),
            NiftiDataType.Int64 => values.Select(v => v * 1_000_000_000_000L).ToArray(),
            NiftiDataType.UInt64 => values.Select(v => (ulong)v * 1_000_000_000_000UL).ToArray(),
            NiftiDataType.Float32 => values.Select(v => v * 0.25f).ToArray(),
            NiftiDataType.Float64 => values.Select(v => v * 0.125).ToArray(),
            _ => throw new ArgumentException(type.ToString()),
        };
    }

    static bool Signed(NiftiDataType t) => t is NiftiDataType.Int8 or NiftiDataType.Int16 or NiftiDataType.Int32 or NiftiDataType.Int64 or NiftiDataType.Float32 or NiftiDataType.Float64;

    public static NiftiImage Image(int version, bool little, NiftiDataType type, params long[] sizes)
    {
        var h = Header(version, little, type, sizes);
        return new NiftiImage(h, new byte[4], Voxels(type, h.VoxelCount));
    }

    /// <summary>Writes a valid small image and returns its path.</summary>
    public static string Write(string dir, string name, int version = 1, bool little = true, NiftiDataType type = NiftiDataType.Int16, params long[] sizes)
    {
        if (sizes.Length == 0) sizes = [4, 3, 2];
        string path = Path.Combine(dir, name);
        NiftiFile.Write(path, Image(version, little, type, sizes));
        return path;
    }
}

/// <summary>A temporary folder removed after the test.</summary>
internal sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "unetsharp-io-" + Guid.NewGuid().ToString("N"));
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}
