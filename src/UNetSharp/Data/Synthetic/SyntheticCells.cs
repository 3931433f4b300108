namespace UNetSharp.Data.Synthetic;

/// <summary>
/// A realistic-looking synthetic microscopy set, made in code so the demo and tests need no download:
/// elliptical "cells" of varying size, brightness and texture on an uneven background, blurred and noisy,
/// some touching, a few dim ones (hard cases). Label 1 = cell. Deterministic for a seed.
/// </summary>
public static class SyntheticCells
{
    public static IReadOnlyList<SegmentationCase> Generate(int count, int size, int seed)
    {
        var cases = new List<SegmentationCase>(count);
        // Not HashCode.Combine: .NET randomises it per process, which made every demo run draw different cells.
        for (int n = 0; n < count; n++) cases.Add(One($"cells_{n:D3}", size, new Random(CaseSeed(seed, n))));
        return cases;
    }

    /// <summary>One seed per case, the same in every process: the 64-bit mix of SplitMix64 over (seed, case index).</summary>
    public static int CaseSeed(int seed, int index)
    {
        ulong z = unchecked(((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & 0x7FFFFFFF);
    }

    static SegmentationCase One(string id, int size, Random rng)
    {
        var image = new float[size * size];
        var label = new int[size * size];
        // Uneven illumination: a smooth gradient plus a low-frequency wave.
        double gx = rng.NextDouble() * 0.2, gy = rng.NextDouble() * 0.2, phase = rng.NextDouble() * Math.PI * 2;
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
                image[y * size + x] = (float)(0.1 + gx * x / size + gy * y / size + 0.05 * Math.Sin(phase + 6.0 * (x + y) / size));

        int cells = 3 + rng.Next(6);
        for (int c = 0; c < cells; c++)
        {
            double rx = size * (0.06 + 0.08 * rng.NextDouble()), ry = rx * (0.6 + 0.6 * rng.NextDouble());
            double cx = rx + rng.NextDouble() * (size - 2 * rx), cy = ry + rng.NextDouble() * (size - 2 * ry);
            double angle = rng.NextDouble() * Math.PI, cos = Math.Cos(angle), sin = Math.Sin(angle);
            double brightness = rng.NextDouble() < 0.15 ? 0.25 + 0.1 * rng.NextDouble() : 0.5 + 0.4 * rng.NextDouble();
            double texture = rng.NextDouble() * 10;
            for (int y = (int)Math.Max(0, cy - rx - ry); y < Math.Min(size, cy + rx + ry + 1); y++)
                for (int x = (int)Math.Max(0, cx - rx - ry); x < Math.Min(size, cx + rx + ry + 1); x++)
                {
                    double u = ((x - cx) * cos + (y - cy) * sin) / rx, v = (-(x - cx) * sin + (y - cy) * cos) / ry;
                    double r2 = u * u + v * v;
                    if (r2 > 1) continue;
                    label[y * size + x] = 1;
                    // Brighter rim, textured interior (nucleus-like).
                    double value = brightness * (0.8 + 0.2 * r2) * (0.9 + 0.1 * Math.Sin(texture + x * 0.7) * Math.Cos(y * 0.5));
                    image[y * size + x] = (float)Math.Max(image[y * size + x], value);
                }
        }
        image = Blur(image, size);
        for (int i = 0; i < image.Length; i++) image[i] += (float)(0.05 * Gaussian(rng));
        return new SegmentationCase(id, image, 1, new[] { size, size }, label, new[] { 1.0, 1.0 });
    }

    /// <summary>3x3 binomial blur: the optics' point spread, so edges are not pixel-sharp.</summary>
    static float[] Blur(float[] image, int size)
    {
        var output = new float[image.Length];
        float[] k = { 0.25f, 0.5f, 0.25f };
        for (int y = 0; y < size; y++)
            for (int x = 0; x < size; x++)
            {
                float sum = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int yy = Math.Clamp(y + dy, 0, size - 1), xx = Math.Clamp(x + dx, 0, size - 1);
                        sum += k[dy + 1] * k[dx + 1] * image[yy * size + xx];
                    }
                output[y * size + x] = sum;
            }
        return output;
    }

    static double Gaussian(Random rng) => Math.Sqrt(-2 * Math.Log(1 - rng.NextDouble())) * Math.Cos(2 * Math.PI * rng.NextDouble());
}
