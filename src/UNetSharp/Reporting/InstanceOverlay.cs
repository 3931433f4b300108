using SkiaSharp;
using UNetSharp.IO;

namespace UNetSharp.Reporting;

/// <summary>
/// Instance maps a person can check: the image in gray with every instance tinted in its own colour and outlined;
/// with a reference, two panels side by side (reference left, prediction right). Colours step round the hue circle by
/// the golden angle, so neighbouring ids look different.
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

        using var bitmap = new SKBitmap(panels * width * zoom + gap, height * zoom, SKColorType.Rgba8888, SKAlphaType.Opaque);
        bitmap.Erase(SKColors.White);
        Draw(bitmap, 0, image, height, width, zoom, min, scale, reference.IsEmpty ? prediction : reference);
        if (panels == 2) Draw(bitmap, width * zoom + gap, image, height, width, zoom, min, scale, prediction);
        using var data = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.WriteAllBytes(path, data.AsSpan());
    }

    static void Draw(SKBitmap bitmap, int left, ReadOnlySpan<float> image, int height, int width, int zoom, float min, float scale, ReadOnlySpan<int> labels)
    {
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
            {
                int i = y * width + x, id = labels[i];
                byte g = (byte)Math.Clamp(float.IsFinite(image[i]) ? (image[i] - min) * scale : 0, 0, 255);
                var color = new SKColor(g, g, g);
                if (id != 0)
                {
                    var c = Colour(id);
                    bool edge = y == 0 || x == 0 || y == height - 1 || x == width - 1
                        || labels[i - width] != id || labels[i + width] != id || labels[i - 1] != id || labels[i + 1] != id;
                    color = edge ? c : new SKColor((byte)((g + c.Red) / 2), (byte)((g + c.Green) / 2), (byte)((g + c.Blue) / 2));
                }
                for (int dy = 0; dy < zoom; dy++)
                    for (int dx = 0; dx < zoom; dx++) bitmap.SetPixel(left + x * zoom + dx, y * zoom + dy, color);
            }
    }

    /// <summary>A saturated colour per instance id.</summary>
    public static SKColor Colour(int id) => SKColor.FromHsv((float)(id * 137.50776 % 360), 85, 100);
}
