using UNetSharp.IO;

namespace UNetSharp.Overlays;

/// <summary>
/// PNG pictures a person can check at a glance: the image in gray, the reference outlined in green, the
/// prediction outlined in red (yellow where both agree). Contours are the region's boundary pixels (face
/// connectivity), drawn at an integer zoom so small images stay readable. Written as 8-bit RGB through our own PNG
/// encoder, so the core library needs no imaging library.
/// </summary>
public static class OverlayImage
{
    /// <summary>Contour colours: reference only, prediction only, both (for legends).</summary>
    public static readonly (byte R, byte G, byte B) Reference = (40, 220, 60), Prediction = (255, 40, 40), Both = (255, 220, 0);

    /// <summary>Writes an overlay of one 2D slice. <paramref name="image"/> is [H, W] in any range (scaled to its min–max); an empty <paramref name="reference"/> draws the prediction only.</summary>
    public static void Write(string path, ReadOnlySpan<float> image, int height, int width, ReadOnlySpan<int> prediction, ReadOnlySpan<int> reference = default, int zoom = 0) =>
        AtomicFile.WriteAllBytes(path, Encode(image, height, width, prediction, reference, zoom));

    /// <summary>The PNG bytes of <see cref="Write"/> (for pictures embedded in a report).</summary>
    public static byte[] Encode(ReadOnlySpan<float> image, int height, int width, ReadOnlySpan<int> prediction, ReadOnlySpan<int> reference = default, int zoom = 0)
    {
        if (image.Length != height * width || prediction.Length != height * width || (!reference.IsEmpty && reference.Length != height * width))
            throw new ArgumentException($"overlay arrays must all hold {height}x{width} values");
        if (zoom <= 0) zoom = Math.Max(1, 256 / Math.Max(height, width));
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in image) if (float.IsFinite(v)) { min = Math.Min(min, v); max = Math.Max(max, v); }
        float scale = max > min ? 255f / (max - min) : 0;
        var predEdge = Edges(prediction, height, width);
        var refEdge = reference.IsEmpty ? new bool[height * width] : Edges(reference, height, width);

        int zh = height * zoom, zw = width * zoom;
        long plane = (long)zh * zw;
        var rgb = new float[3 * plane];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x;
                byte g = (byte)Math.Clamp(float.IsFinite(image[i]) ? (image[i] - min) * scale : 0, 0, 255);
                var color = predEdge[i] && refEdge[i] ? Both : predEdge[i] ? Prediction : refEdge[i] ? Reference : (R: g, G: g, B: g);
                for (int dy = 0; dy < zoom; dy++)
                    for (int dx = 0; dx < zoom; dx++)
                    {
                        long at = (long)(y * zoom + dy) * zw + x * zoom + dx;
                        rgb[at] = color.R; rgb[plane + at] = color.G; rgb[2 * plane + at] = color.B;
                    }
            }
        return PngRawCodec.Encode(rgb, 3, zh, zw, 8);
    }

    /// <summary>
    /// For a 3D label map of <paramref name="plane"/>-sized slices: the slice with the most non-zero labels (the first
    /// on ties), the one worth showing; <paramref name="fallback"/> when every slice is empty.
    /// </summary>
    public static int BusiestSlice<T>(ReadOnlySpan<T> labels, int plane, int fallback = 0) where T : struct, IEquatable<T>
    {
        int slice = fallback;
        long best = 0;
        for (int z = 0; z * plane < labels.Length; z++)
        {
            var s = labels.Slice(z * plane, plane);
            long count = s.Length - s.Count(default(T));
            if (count > best) { best = count; slice = z; }
        }
        return slice;
    }

    /// <summary>Foreground pixels (label ≠ 0) with a face neighbour of another label or on the border.</summary>
    static bool[] Edges(ReadOnlySpan<int> labels, int height, int width)
    {
        var edge = new bool[labels.Length];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x, v = labels[i];
                if (v == 0) continue;
                edge[i] = y == 0 || x == 0 || y == height - 1 || x == width - 1
                    || labels[i - width] != v || labels[i + width] != v || labels[i - 1] != v || labels[i + 1] != v;
            }
        return edge;
    }
}
