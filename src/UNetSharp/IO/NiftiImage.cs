using System.Runtime.InteropServices;

namespace UNetSharp.IO;

/// <summary>
/// A NIfTI image in memory: the header, the bytes between header and data (extensions, kept verbatim), and the voxels as
/// a typed array in file order (x fastest), which is C-order [(t,) z, y, x].
/// </summary>
public sealed class NiftiImage
{
    public NiftiImage(NiftiHeader header, byte[] extension, Array voxels)
    {
        if (voxels.LongLength != header.VoxelCount) throw new ArgumentException($"{voxels.LongLength} voxels given, header dims say {header.VoxelCount}");
        if (ElementType((NiftiDataType)header.DataType) != voxels.GetType().GetElementType())
            throw new ArgumentException($"voxel array of {voxels.GetType().Name} does not match datatype {header.DataType}");
        Header = header; Extension = extension; Voxels = voxels;
    }

    public NiftiHeader Header { get; }

    /// <summary>Bytes from the end of the header to vox_offset: the 4 extension flag bytes and any extensions.</summary>
    public byte[] Extension { get; }

    /// <summary>byte[], sbyte[], short[], ushort[], int[], uint[], long[], ulong[], float[] or double[] per datatype.</summary>
    public Array Voxels { get; }

    public NiftiDataType DataType => (NiftiDataType)Header.DataType;

    /// <summary>True when scl_slope/scl_inter change values: slope 0 or non-finite means "no scaling", as in nibabel.</summary>
    public bool IsScaled => ScaleFactors() is var (s, i) && (s != 1 || i != 0);

    /// <summary>Values as float32 with scl_slope/scl_inter applied.</summary>
    public float[] ToFloat32()
    {
        var (slope, inter) = ScaleFactors();
        var result = new float[Voxels.LongLength];
        if (Voxels is float[] f && slope == 1 && inter == 0) { f.CopyTo(result, 0); return result; }
        switch (Voxels)
        {
            case byte[] a: Convert(a, result, slope, inter); break;
            case sbyte[] a: Convert(a, result, slope, inter); break;
            case short[] a: Convert(a, result, slope, inter); break;
            case ushort[] a: Convert(a, result, slope, inter); break;
            case int[] a: Convert(a, result, slope, inter); break;
            case uint[] a: Convert(a, result, slope, inter); break;
            case long[] a: Convert(a, result, slope, inter); break;
            case ulong[] a: Convert(a, result, slope, inter); break;
            case float[] a: Convert(a, result, slope, inter); break;
            case double[] a: Convert(a, result, slope, inter); break;
        }
        return result;
    }

    /// <summary>One typed loop per datatype instead of a type switch per voxel.</summary>
    static void Convert<T>(T[] source, float[] target, double slope, double inter) where T : System.Numerics.INumberBase<T>
    {
        for (long i = 0; i < source.LongLength; i++) target[i] = (float)(double.CreateTruncating(source[i]) * slope + inter);
    }

    /// <summary>Values as class labels: scaled values must be whole numbers within int range, else the file is at fault.</summary>
    public int[] ToInt32Labels(string path)
    {
        var (slope, inter) = ScaleFactors();
        var result = new int[Voxels.LongLength];
        for (long i = 0; i < result.LongLength; i++)
        {
            double v = Raw(i) * slope + inter;
            if (v != Math.Floor(v) || v < int.MinValue || v > int.MaxValue)
                throw new DataFormatException(path, $"label value {v} at voxel {i} is not a whole number");
            result[i] = (int)v;
        }
        return result;
    }

    /// <summary>Unscaled value of voxel <paramref name="i"/> (file order).</summary>
    public double Raw(long i) => Voxels switch
    {
        byte[] a => a[i],
        sbyte[] a => a[i],
        short[] a => a[i],
        ushort[] a => a[i],
        int[] a => a[i],
        uint[] a => a[i],
        long[] a => a[i],
        ulong[] a => a[i],
        float[] a => a[i],
        double[] a => a[i],
        _ => throw new InvalidOperationException("unsupported voxel array"),
    };

    (double Slope, double Inter) ScaleFactors()
    {
        double slope = Header.SclSlope, inter = Header.SclInter;
        if (slope == 0 || !double.IsFinite(slope)) return (1, 0);
        return (slope, double.IsFinite(inter) ? inter : 0);
    }

    /// <summary>A float32 image with the geometry of <paramref name="reference"/> (dims, pixdim, qform, sform, units, descrip).
    /// Data may cover the reference's spatial dims only (e.g. a probability map for a 4D multi-modal input).</summary>
    public static NiftiImage FromFloat32(float[] data, NiftiHeader reference) => Derived(reference, NiftiDataType.Float32, data, data.LongLength);

    /// <summary>A label image with the geometry of <paramref name="reference"/>; datatype uint8 when the values fit, else int16 or int32.</summary>
    public static NiftiImage FromLabels(int[] labels, NiftiHeader reference, NiftiDataType? type = null)
    {
        int min = labels.Length == 0 ? 0 : labels.Min(), max = labels.Length == 0 ? 0 : labels.Max();
        var chosen = type ?? (min >= 0 && max <= byte.MaxValue ? NiftiDataType.UInt8 : min >= short.MinValue && max <= short.MaxValue ? NiftiDataType.Int16 : NiftiDataType.Int32);
        Array voxels = chosen switch
        {
            NiftiDataType.UInt8 => labels.Select(v => checked((byte)v)).ToArray(),
            NiftiDataType.Int16 => labels.Select(v => checked((short)v)).ToArray(),
            NiftiDataType.UInt16 => labels.Select(v => checked((ushort)v)).ToArray(),
            NiftiDataType.UInt32 => labels.Select(v => checked((uint)v)).ToArray(),
            NiftiDataType.Int32 => (int[])labels.Clone(),
            _ => throw new ArgumentException($"labels cannot be written as {chosen}"),
        };
        return Derived(reference, chosen, voxels, labels.LongLength);
    }

    static NiftiImage Derived(NiftiHeader reference, NiftiDataType type, Array voxels, long count)
    {
        var h = reference.Clone();
        if (count != h.VoxelCount)
        {
            long spatial = h.Sizes.Take(3).Aggregate(1L, (a, b) => a * b);
            if (count != spatial || h.Rank < 4) throw new ArgumentException($"{count} values do not fit reference dims [{string.Join(",", h.Sizes)}]");
            h.Dim[0] = 3;
            for (int i = 4; i < 8; i++) h.Dim[i] = 1;
        }
        h.DataType = (short)type;
        h.BitPix = (short)(8 * NiftiDataTypes.BytesPerVoxel((short)type));
        h.SclSlope = 1; h.SclInter = 0;
        h.CalMin = 0; h.CalMax = 0; // the reference's display range says nothing about the new values
        h.LegacyGlMax = 0; h.LegacyGlMin = 0;
        h.VoxOffset = h.HeaderSize + 4;
        return new NiftiImage(h, new byte[4], voxels);
    }

    internal static Type ElementType(NiftiDataType type) => type switch
    {
        NiftiDataType.UInt8 => typeof(byte),
        NiftiDataType.Int8 => typeof(sbyte),
        NiftiDataType.Int16 => typeof(short),
        NiftiDataType.UInt16 => typeof(ushort),
        NiftiDataType.Int32 => typeof(int),
        NiftiDataType.UInt32 => typeof(uint),
        NiftiDataType.Int64 => typeof(long),
        NiftiDataType.UInt64 => typeof(ulong),
        NiftiDataType.Float32 => typeof(float),
        NiftiDataType.Float64 => typeof(double),
        _ => throw new ArgumentException($"unsupported NIfTI datatype {(short)type}"),
    };

    /// <summary>The voxel bytes in host order (little-endian on every platform .NET runs here).</summary>
    internal static Span<byte> BytesOf(Array voxels) => voxels switch
    {
        byte[] a => a,
        sbyte[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        short[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ushort[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        int[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        uint[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        long[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        ulong[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        float[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        double[] a => MemoryMarshal.AsBytes(a.AsSpan()),
        _ => throw new ArgumentException("unsupported voxel array"),
    };
}
