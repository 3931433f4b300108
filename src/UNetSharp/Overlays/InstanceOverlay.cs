using UNetSharp.IO;

namespace UNetSharp.Overlays;

/// <summary>
/// Instance maps a person can check: the image in gray with every instance tinted in its own colour and outlined;
/// with a reference, two panels side by side (reference left, prediction right). Colours step round the hue circle by
/// the golden angle, so neighbouring ids look different. Written as 8-bit RGB through our own PNG encoder (as
/// <see cref="OverlayImage"/>), so the core library needs no imaging library.
/// </summary>
public static class InstanceOverlay
{
    /// <summary>Writes one 2D slice; <paramref name="image"/> [H, W] in any range (scaled to its min–max).</summary>
    public static void Write(string path, ReadOnlySpan<float> image, int height, int width, ReadOnlySpan<int> prediction, ReadOnlySpan<int> reference = default)
    {
        if (image.Length != height * width || prediction.Length != height * width || (!reference.IsEmpty && reference.Length != height * width))
            throw new ArgumentException($"overlay arrays must all hold {height}x{width} values");
        int zoom = Math.Max(1, 256 / Math.Max(height, width));
        int panels = reference.IsEmpty ? 1 : 2, gap = panels == 2 ? 4 : 0;
        float min = float.MaxValue, max = float.MinValue;
        foreach (float v in image) if (float.IsFinite(v)) { min = Math.Min(min, v); max = Math.Max(max, v); }
        float scale = max > min ? 255f / (max - min) : 0;

        int zh = height * zoom, zw = panels * width * zoom + gap;
        var rgb = new float[3 * zh * zw];
        Array.Fill(rgb, 255f); // white gap between the panels
        Draw(rgb, zw, zh, 0, image, height, width, zoom, min, scale, reference.IsEmpty ? prediction : reference);
        if (panels == 2) Draw(rgb, zw, zh, width * zoom + gap, image, height, width, zoom, min, scale, prediction);
        AtomicFile.WriteAllBytes(path, PngRawCodec.Encode(rgb, 3, zh, zw, 8));
    }

    static void Draw(float[] rgb, int zw, int zh, int left, ReadOnlySpan<float> image, int height, int width, int zoom, float min, float scale, ReadOnlySpan<int> labels)
    {
        int plane = zh * zw;
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x, id = labels[i];
                float g = Math.Clamp(float.IsFinite(image[i]) ? (image[i] - min) * scale : 0, 0, 255);
                (float R, float G, float B) color = (g, g, g);
                if (id != 0)
                {
                    var c = Colour(id);
                    bool edge = y == 0 || x == 0 || y == height - 1 || x == width - 1
                        || labels[i - width] != id || labels[i + width] != id || labels[i - 1] != id || labels[i + 1] != id;
                    color = edge ? (c.R, c.G, c.B) : (MathF.Floor((g + c.R) / 2), MathF.Floor((g + c.G) / 2), MathF.Floor((g + c.B) / 2));
                }
                color = (MathF.Floor(color.R), MathF.Floor(color.G), MathF.Floor(color.B));
                for (int dy = 0; dy < zoom; dy++)
                    for (int dx = 0; dx < zoom; dx++)
                    {
                        int at = (y * zoom + dy) * zw + left + x * zoom + dx;
                        rgb[at] = color.R; rgb[plane + at] = color.G; rgb[2 * plane + at] = color.B;
                    }
            }
    }

    /// <summary>A saturated colour per instance id (HSV: hue by the golden angle, saturation 0.85, value 1).</summary>
    public static (byte R, byte G, byte B) Colour(int id)
    {
        double h = id * 137.50776 % 360 / 60, s = 0.85, c = s, x = c * (1 - Math.Abs(h % 2 - 1)), m = 1 - c;
        var (r, g, b) = (int)h switch { 0 => (c, x, 0.0), 1 => (x, c, 0.0), 2 => (0.0, c, x), 3 => (0.0, x, c), 4 => (x, 0.0, c), _ => (c, 0.0, x) };
        return ((byte)Math.Round(255 * (r + m)), (byte)Math.Round(255 * (g + m)), (byte)Math.Round(255 * (b + m)));
    }
}
