using UNetSharp.IO;

namespace UNetSharp.Instances;

/// <summary>
/// Writes instance label maps (0 = background, 1..n) in the formats tools read: PNG always 16-bit (uint16, up to
/// 65,535 instances, more is refused: PNG has no wider gray format); TIFF 16-bit, above 65,535 32-bit float (exact up
/// to 2^24 ids); NIfTI uint16, above 65,535 uint32, with the geometry of the <c>niftiReference</c> header.
/// </summary>
public static class InstanceMapFile
{
    public const int MaxPngInstances = ushort.MaxValue, MaxTiffInstances = 1 << 24;

    /// <summary>Writes atomically; a map that does not fit the format throws <see cref="DataFormatException"/> naming the file, writing nothing.</summary>
    public static void Write(string path, int[] instances, int[] shape, NiftiHeader? niftiReference = null)
    {
        int max = instances.Length == 0 ? 0 : instances.Max();
        if (instances.Length != shape.Aggregate(1L, (a, b) => a * b)) throw new ArgumentException($"instance map has {instances.Length} values for shape [{string.Join(",", shape)}]");
        if (NiftiFile.IsNiftiPath(path))
        {
            if (niftiReference is null) throw new ArgumentException("a NIfTI instance map needs the input's header for its geometry");
            NiftiFile.Write(path, NiftiImage.FromLabels(instances, niftiReference, max <= ushort.MaxValue ? NiftiDataType.UInt16 : NiftiDataType.UInt32));
        }
        else if (path.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
        {
            if (max > MaxPngInstances)
                throw new DataFormatException(path, $"{max:N0} instances do not fit a 16-bit PNG (at most {MaxPngInstances:N0}); give TIFF or NIfTI input, whose instance maps are written with 32 bits");
            if (shape.Length != 2) throw new DataFormatException(path, "PNG holds 2D instance maps only");
            PngFile.Write(path, new RasterImage(Array.ConvertAll(instances, v => (float)v), 1, shape, 16), 16);
        }
        else
        {
            if (max > MaxTiffInstances)
                throw new DataFormatException(path, $"{max:N0} instances exceed what a 32-bit float TIFF holds exactly ({MaxTiffInstances:N0}); give NIfTI input (uint32)");
            int bits = max > ushort.MaxValue ? 32 : 16;
            TiffFile.Write(path, new RasterImage(Array.ConvertAll(instances, v => (float)v), 1, shape, bits), bits);
        }
    }
}
