namespace UNetSharp.IO;

/// <summary>Bounds that stop a hostile header from making a reader allocate or decompress without limit.</summary>
public sealed record NiftiReadLimits
{
    /// <summary>Largest voxel payload accepted, in bytes (default 2 GiB - 1, the largest .NET byte array).</summary>
    public long MaxDataBytes { get; init; } = Array.MaxLength;

    /// <summary>Largest extension block (bytes between the header and vox_offset) accepted.</summary>
    public long MaxExtensionBytes { get; init; } = 64L << 20;

    public static NiftiReadLimits Default { get; } = new();
}
