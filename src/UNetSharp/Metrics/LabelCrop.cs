namespace UNetSharp.Metrics;

/// <summary>
/// Masks of one label in prediction and reference, cropped to the bounding box of their union. Distances between
/// the two surfaces never need voxels outside that box, and a voxel just outside it is background whether or not
/// it lies inside the image, so surfaces and distance transforms computed on the crop are exact and much cheaper.
/// 2D maps are handled as 3D with depth 1 (<see cref="HasDepth"/> false).
/// </summary>
internal sealed class LabelCrop
{
    LabelCrop(int depth, int height, int width, bool hasDepth)
    {
        Depth = depth; Height = height; Width = width; HasDepth = hasDepth;
        Prediction = new byte[depth * height * width];
        Reference = new byte[Prediction.Length];
    }

    public int Depth { get; }
    public int Height { get; }
    public int Width { get; }

    /// <summary>False for 2D maps: the depth axis is not part of the image (no neighbours along it).</summary>
    public bool HasDepth { get; }

    public int[] Shape => [Depth, Height, Width];
    public byte[] Prediction { get; }
    public byte[] Reference { get; }

    /// <summary>Null when neither map contains <paramref name="label"/>. Shape is [H,W] or [D,H,W], already checked.</summary>
    public static LabelCrop? Create(ReadOnlySpan<int> prediction, ReadOnlySpan<int> reference, int label, int[] shape)
    {
        bool hasDepth = shape.Length == 3;
        int depth = hasDepth ? shape[0] : 1, height = shape[^2], width = shape[^1];
        int d0 = int.MaxValue, d1 = -1, h0 = int.MaxValue, h1 = -1, w0 = int.MaxValue, w1 = -1;
        for (int d = 0; d < depth; d++)
            for (int h = 0; h < height; h++)
            {
                int row = (d * height + h) * width;
                bool hit = Extend(prediction.Slice(row, width), label, ref w0, ref w1);
                hit |= Extend(reference.Slice(row, width), label, ref w0, ref w1);
                if (!hit) continue;
                d0 = Math.Min(d0, d); d1 = Math.Max(d1, d);
                h0 = Math.Min(h0, h); h1 = Math.Max(h1, h);
            }
        if (d1 < 0) return null;
        var crop = new LabelCrop(d1 - d0 + 1, h1 - h0 + 1, w1 - w0 + 1, hasDepth);
        for (int d = 0; d < crop.Depth; d++)
            for (int h = 0; h < crop.Height; h++)
            {
                int source = ((d + d0) * height + h + h0) * width + w0;
                int target = (d * crop.Height + h) * crop.Width;
                for (int w = 0; w < crop.Width; w++)
                {
                    crop.Prediction[target + w] = prediction[source + w] == label ? (byte)1 : (byte)0;
                    crop.Reference[target + w] = reference[source + w] == label ? (byte)1 : (byte)0;
                }
            }
        return crop;
    }

    /// <summary>Widens [w0, w1] to the label's columns in <paramref name="row"/>; false when the row lacks the label.</summary>
    static bool Extend(ReadOnlySpan<int> row, int label, ref int w0, ref int w1)
    {
        int first = row.IndexOf(label); // vectorised scan; most rows hold no label
        if (first < 0) return false;
        w0 = Math.Min(w0, first);
        w1 = Math.Max(w1, row.LastIndexOf(label));
        return true;
    }

    /// <summary>
    /// Surface by erosion with face connectivity: a foreground voxel whose 2·dims face neighbours include background
    /// or lie outside the crop (= outside the image or background, see class comment). Returns the surface count.
    /// </summary>
    public int Surface(byte[] mask, byte[] surface)
    {
        int plane = Height * Width, count = 0;
        for (int d = 0; d < Depth; d++)
            for (int h = 0; h < Height; h++)
                for (int w = 0; w < Width; w++)
                {
                    int i = (d * Height + h) * Width + w;
                    if (mask[i] == 0) { surface[i] = 0; continue; }
                    bool edge = w == 0 || w == Width - 1 || mask[i - 1] == 0 || mask[i + 1] == 0
                        || h == 0 || h == Height - 1 || mask[i - Width] == 0 || mask[i + Width] == 0
                        || (HasDepth && (d == 0 || d == Depth - 1 || mask[i - plane] == 0 || mask[i + plane] == 0));
                    surface[i] = edge ? (byte)1 : (byte)0;
                    if (edge) count++;
                }
        return count;
    }
}
