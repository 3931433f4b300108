namespace UNetSharp.Metrics;

/// <summary>
/// The UNet# authors' DSB 2018 protocol (their metrics.py; docs/UNET-SHARP.md §5), so our numbers can stand beside their
/// table: every image and mask resized to 96×96, the prediction thresholded at 0.5 (our label maps already are), and
/// IoU = (|P∩G| + 1e-5) / (|P∪G| + 1e-5) over all pixels of a batch flattened together, then the mean over batches.
/// Pooling weights crowded and large-object images more than our per-case mean, and an all-empty batch scores 1.
/// </summary>
public static class PaperProtocol
{
    public const int Size = 96, BatchSize = 16;
    const double Smooth = 1e-5;

    /// <summary>Pooled IoU of one batch: foreground = label ≠ 0 in each map; maps are paired by position.</summary>
    public static double BatchIoU(IEnumerable<(int[] Prediction, int[] Reference)> batch)
    {
        long intersection = 0, union = 0;
        foreach (var (p, g) in batch)
        {
            if (p.Length != g.Length) throw new ArgumentException($"prediction has {p.Length} pixels but reference has {g.Length}", nameof(batch));
            for (int i = 0; i < p.Length; i++)
            {
                bool a = p[i] != 0, b = g[i] != 0;
                if (a & b) intersection++;
                if (a | b) union++;
            }
        }
        return (intersection + Smooth) / (union + Smooth);
    }

    /// <summary>Mean of <see cref="BatchIoU"/> over consecutive batches of <paramref name="batchSize"/> cases (the last may be
    /// smaller, as a data loader without drop_last).</summary>
    public static double MeanBatchIoU(IReadOnlyList<(int[] Prediction, int[] Reference)> cases, int batchSize = BatchSize)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        if (cases.Count == 0) return double.NaN;
        return cases.Chunk(batchSize).Select(b => BatchIoU(b)).Average();
    }

    /// <summary>A 2D label map [H, W] resized to [height, width] by nearest neighbour (source index ⌊i·H/height⌋, OpenCV's
    /// INTER_NEAREST), so labels stay labels.</summary>
    public static int[] ResizeNearest(ReadOnlySpan<int> labels, int h, int w, int height = Size, int width = Size)
    {
        if (labels.Length != h * w) throw new ArgumentException($"label map has {labels.Length} values, not {h}x{w}", nameof(labels));
        var result = new int[height * width];
        for (int y = 0; y < height; y++)
        {
            int sy = (int)((long)y * h / height);
            for (int x = 0; x < width; x++) result[y * width + x] = labels[sy * w + (int)((long)x * w / width)];
        }
        return result;
    }

    /// <summary>The protocol on full-size 2D prediction/reference pairs: both resized to 96×96, then <see cref="MeanBatchIoU"/>.</summary>
    public static double Score(IReadOnlyList<(int[] Prediction, int[] Reference, int Height, int Width)> cases, int batchSize = BatchSize) =>
        MeanBatchIoU(cases.Select(c => (ResizeNearest(c.Prediction, c.Height, c.Width), ResizeNearest(c.Reference, c.Height, c.Width))).ToList(), batchSize);
}
