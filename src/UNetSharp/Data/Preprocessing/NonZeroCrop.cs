namespace UNetSharp.Data.Preprocessing;

/// <summary>
/// Crops a case to the bounding box of voxels that are non-zero in any channel (nnU-Net's first step): removes
/// the air/padding around scans, which saves memory and time without losing anything that can be segmented.
/// </summary>
public static class NonZeroCrop
{
    public static (SegmentationCase Case, CropBox Box) Crop(SegmentationCase c)
    {
        var box = FindBox(c);
        var label = c.Label is null ? null : box.Crop(c.Label);
        var cropped = new SegmentationCase(c.Id, box.Crop(c.Image, c.Channels), c.Channels, box.Size, label, c.Spacing);
        return (cropped, box);
    }

    /// <summary>Bounding box of image != 0 over all channels; the whole image when every voxel is zero.</summary>
    public static CropBox FindBox(SegmentationCase c)
    {
        int[] shape = CropBox.Pad3(c.Shape, 1);
        int[] lo = [int.MaxValue, int.MaxValue, int.MaxValue], hi = [-1, -1, -1];
        long voxels = c.Voxels;
        for (int ch = 0; ch < c.Channels; ch++)
        {
            var img = c.Image.AsSpan(checked((int)(ch * voxels)), checked((int)voxels));
            int i = 0;
            for (int z = 0; z < shape[0]; z++)
                for (int y = 0; y < shape[1]; y++)
                    for (int x = 0; x < shape[2]; x++, i++)
                    {
                        if (img[i] == 0) continue;
                        lo[0] = Math.Min(lo[0], z); hi[0] = Math.Max(hi[0], z);
                        lo[1] = Math.Min(lo[1], y); hi[1] = Math.Max(hi[1], y);
                        lo[2] = Math.Min(lo[2], x); hi[2] = Math.Max(hi[2], x);
                    }
        }
        if (hi[0] < 0) return new CropBox(new int[c.Dimensions], (int[])c.Shape.Clone(), (int[])c.Shape.Clone());
        int skip = 3 - c.Dimensions;
        var start = lo[skip..];
        var size = Enumerable.Range(skip, c.Dimensions).Select(a => hi[a] - lo[a] + 1).ToArray();
        return new CropBox(start, size, (int[])c.Shape.Clone());
    }
}
