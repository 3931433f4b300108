namespace UNetSharp.IO;

/// <summary>NIfTI datatype codes this codec reads and writes (the scalar ones; complex and RGB types are rejected).</summary>
public enum NiftiDataType : short
{
    UInt8 = 2,
    Int16 = 4,
    Int32 = 8,
    Float32 = 16,
    Float64 = 64,
    Int8 = 256,
    UInt16 = 512,
    UInt32 = 768,
    Int64 = 1024,
    UInt64 = 1280,
}

public static class NiftiDataTypes
{
    /// <summary>Bytes per voxel, or 0 for a code this codec does not support.</summary>
    public static int BytesPerVoxel(short code) => (NiftiDataType)code switch
    {
        NiftiDataType.UInt8 or NiftiDataType.Int8 => 1,
        NiftiDataType.Int16 or NiftiDataType.UInt16 => 2,
        NiftiDataType.Int32 or NiftiDataType.UInt32 or NiftiDataType.Float32 => 4,
        NiftiDataType.Int64 or NiftiDataType.UInt64 or NiftiDataType.Float64 => 8,
        _ => 0,
    };

    public static bool IsSupported(short code) => BytesPerVoxel(code) != 0;
}
