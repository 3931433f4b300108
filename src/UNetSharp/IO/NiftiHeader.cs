namespace UNetSharp.IO;

/// <summary>
/// Every field of a NIfTI-1 (348 byte) or NIfTI-2 (540 byte) header, held in the widest type of either version so that a
/// read then write reproduces the header bytes. Strings are kept as their raw fixed-size byte fields for the same reason.
/// </summary>
public sealed class NiftiHeader
{
    public const int Nifti1Size = 348;
    public const int Nifti2Size = 540;

    /// <summary>1 or 2; decides the on-disk layout.</summary>
    public int Version { get; set; } = 1;
    public bool LittleEndian { get; set; } = true;
    public int HeaderSize => Version == 2 ? Nifti2Size : Nifti1Size;

    // NIfTI-1 only (Analyze leftovers); kept so the header survives a round trip.
    public byte[] LegacyDataType { get; set; } = new byte[10];
    public byte[] LegacyDbName { get; set; } = new byte[18];
    public int LegacyExtents { get; set; }
    public short LegacySessionError { get; set; }
    public byte LegacyRegular { get; set; }
    public int LegacyGlMax { get; set; }
    public int LegacyGlMin { get; set; }
    /// <summary>NIfTI-2 only: the 15 unused bytes at the end.</summary>
    public byte[] Nifti2Unused { get; set; } = new byte[15];

    public byte DimInfo { get; set; }
    /// <summary>dim[0] = number of dimensions, dim[1..] = sizes, x fastest.</summary>
    public long[] Dim { get; set; } = new long[8];
    public double IntentP1 { get; set; }
    public double IntentP2 { get; set; }
    public double IntentP3 { get; set; }
    public int IntentCode { get; set; }
    public short DataType { get; set; }
    public short BitPix { get; set; }
    public long SliceStart { get; set; }
    /// <summary>pixdim[0] = qfac, pixdim[1..] = voxel sizes along dim[1..].</summary>
    public double[] PixDim { get; set; } = new double[8];
    public double VoxOffset { get; set; }
    public double SclSlope { get; set; }
    public double SclInter { get; set; }
    public long SliceEnd { get; set; }
    public int SliceCode { get; set; }
    public int XyztUnits { get; set; }
    public double CalMax { get; set; }
    public double CalMin { get; set; }
    public double SliceDuration { get; set; }
    public double TOffset { get; set; }
    public byte[] Descrip { get; set; } = new byte[80];
    public byte[] AuxFile { get; set; } = new byte[24];
    public int QformCode { get; set; }
    public int SformCode { get; set; }
    public double QuaternB { get; set; }
    public double QuaternC { get; set; }
    public double QuaternD { get; set; }
    public double QOffsetX { get; set; }
    public double QOffsetY { get; set; }
    public double QOffsetZ { get; set; }
    public double[] SRowX { get; set; } = new double[4];
    public double[] SRowY { get; set; } = new double[4];
    public double[] SRowZ { get; set; } = new double[4];
    public byte[] IntentName { get; set; } = new byte[16];
    /// <summary>"n+1\0" (4 bytes) or "n+2\0\r\n\x1A\n" (8 bytes).</summary>
    public byte[] Magic { get; set; } = "n+1\0"u8.ToArray();

    public string Description => FixedString(Descrip);
    public string IntentNameText => FixedString(IntentName);

    /// <summary>Number of dimensions (dim[0]).</summary>
    public int Rank => (int)Dim[0];

    /// <summary>Sizes in file order (x fastest): dim[1..dim[0]].</summary>
    public long[] Sizes => Dim.AsSpan(1, Rank).ToArray();

    public long VoxelCount => Sizes.Aggregate(1L, (a, b) => a * b);

    public int BytesPerVoxel => NiftiDataTypes.BytesPerVoxel(DataType);

    /// <summary>Spatial shape in C-order (slowest first): [y, x] or [z, y, x]; a 4th dimension is not spatial.</summary>
    public int[] SpatialShape => Enumerable.Range(1, Math.Min(Rank, 3)).Reverse().Select(i => (int)Dim[i]).ToArray();

    /// <summary>Voxel size per spatial axis in the order of <see cref="SpatialShape"/>.</summary>
    public double[] Spacing => Enumerable.Range(1, Math.Min(Rank, 3)).Reverse().Select(i => PixDim[i]).ToArray();

    /// <summary>Size of dim[4] (time or modality), 1 for 2D/3D images.</summary>
    public int Channels => Rank >= 4 ? (int)Dim[4] : 1;

    public NiftiHeader Clone()
    {
        var copy = (NiftiHeader)MemberwiseClone();
        copy.LegacyDataType = (byte[])LegacyDataType.Clone();
        copy.LegacyDbName = (byte[])LegacyDbName.Clone();
        copy.Nifti2Unused = (byte[])Nifti2Unused.Clone();
        copy.Dim = (long[])Dim.Clone();
        copy.PixDim = (double[])PixDim.Clone();
        copy.Descrip = (byte[])Descrip.Clone();
        copy.AuxFile = (byte[])AuxFile.Clone();
        copy.SRowX = (double[])SRowX.Clone();
        copy.SRowY = (double[])SRowY.Clone();
        copy.SRowZ = (double[])SRowZ.Clone();
        copy.IntentName = (byte[])IntentName.Clone();
        copy.Magic = (byte[])Magic.Clone();
        return copy;
    }

    /// <summary>Voxel-to-world matrix (4x4, row-major) chosen as nibabel does: sform if sform_code &gt; 0, else qform if qform_code &gt; 0, else the base affine.</summary>
    public double[,] Affine => NiftiGeometry.BestAffine(this);

    static string FixedString(byte[] bytes)
    {
        int end = Array.IndexOf(bytes, (byte)0);
        return System.Text.Encoding.ASCII.GetString(bytes, 0, end < 0 ? bytes.Length : end);
    }
}
