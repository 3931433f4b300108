namespace UNetSharp.Data.Preprocessing;

/// <summary>RGB(A) handling for photographs/microscopy: convert to one gray channel or keep the colour channels.</summary>
public static class ColorConversion
{
    /// <summary>ITU-R BT.601 luma (the weights PIL and OpenCV use), so results match Python pipelines.</summary>
    public static SegmentationCase ToGray(SegmentationCase c)
    {
        if (c.Channels == 1) return c;
        if (c.Channels is not (3 or 4)) throw new UNetSharpException($"{c.Id}: cannot convert {c.Channels} channels to gray (need RGB or RGBA)");
        long n = c.Voxels;
        var gray = new float[n];
        var img = c.Image;
        for (long i = 0; i < n; i++)
            gray[i] = 0.299f * img[i] + 0.587f * img[n + i] + 0.114f * img[2 * n + i]; // alpha (if any) dropped
        return new SegmentationCase(c.Id, gray, 1, c.Shape, c.Label, c.Spacing);
    }

    /// <summary>Drops an alpha channel and keeps R, G, B as separate input channels.</summary>
    public static SegmentationCase KeepRgb(SegmentationCase c)
    {
        if (c.Channels != 4) return c;
        var rgb = c.Image.AsSpan(0, checked((int)(3 * c.Voxels))).ToArray();
        return new SegmentationCase(c.Id, rgb, 3, c.Shape, c.Label, c.Spacing);
    }
}
