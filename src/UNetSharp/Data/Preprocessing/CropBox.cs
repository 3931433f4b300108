namespace UNetSharp.Data.Preprocessing;

/// <summary>
/// Where a crop came from: start and size per spatial axis within the original shape. Keep it with the cropped
/// case so predictions made on the crop can be written back into an array of the original shape.
/// </summary>
public sealed record CropBox(int[] Start, int[] Size, int[] OriginalShape)
{
    public long CroppedVoxels => Size.Aggregate(1L, (a, b) => a * b);
    public long OriginalVoxels => OriginalShape.Aggregate(1L, (a, b) => a * b);

    /// <summary>Copies the box out of C-order arrays with <paramref name="channels"/> channels of <see cref="OriginalShape"/>.</summary>
    public T[] Crop<T>(T[] full, int channels = 1) => Copy(full, channels, toCrop: true, default!);

    /// <summary>Puts cropped values (e.g. a predicted label map or probabilities) back; outside the box gets <paramref name="fill"/>.</summary>
    public T[] Uncrop<T>(T[] cropped, int channels = 1, T fill = default!) => Copy(cropped, channels, toCrop: false, fill);

    private T[] Copy<T>(T[] source, int channels, bool toCrop, T fill)
    {
        long expected = (toCrop ? OriginalVoxels : CroppedVoxels) * channels;
        if (source.LongLength != expected) throw new ArgumentException($"array has {source.LongLength} values, expected {expected}");
        var result = new T[(toCrop ? CroppedVoxels : OriginalVoxels) * channels];
        if (!toCrop && !EqualityComparer<T>.Default.Equals(fill, default)) Array.Fill(result, fill);
        // Treat 2D as 3D with depth 1 so one row-copy loop serves both.
        int[] full = Pad3(OriginalShape, 1), size = Pad3(Size, 1), start = Pad3(Start, 0);
        for (int c = 0; c < channels; c++)
            for (int z = 0; z < size[0]; z++)
                for (int y = 0; y < size[1]; y++)
                {
                    long fullRow = (((long)c * full[0] + start[0] + z) * full[1] + start[1] + y) * full[2] + start[2];
                    long cropRow = (((long)c * size[0] + z) * size[1] + y) * size[2];
                    if (toCrop) Array.Copy(source, fullRow, result, cropRow, size[2]);
                    else Array.Copy(source, cropRow, result, fullRow, size[2]);
                }
        return result;
    }

    internal static int[] Pad3(int[] v, int fill) => v.Length == 3 ? v : [fill, .. v];
}
