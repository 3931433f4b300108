namespace UNetSharp.IO;

/// <summary>
/// A decoded 2D image or stack of 2D pages as float intensities, C-order [C, H, W] or [C, D, H, W], in the file's own value
/// range (0..255 for 8-bit, 0..65535 for 16-bit; no rescaling) so that labels stored as pixel values stay exact.
/// </summary>
public sealed class RasterImage
{
    public RasterImage(float[] data, int channels, int[] shape, int bitDepth, double[]? spacing = null)
    {
        long voxels = shape.Aggregate(1L, (a, b) => a * b);
        if (channels < 1 || data.LongLength != voxels * channels) throw new ArgumentException($"{data.LongLength} values do not fit {channels} x [{string.Join(",", shape)}]");
        spacing ??= Enumerable.Repeat(1.0, shape.Length).ToArray();
        if (spacing.Length != shape.Length) throw new ArgumentException("spacing and shape differ in length");
        Data = data; Channels = channels; Shape = shape; BitDepth = bitDepth; Spacing = spacing;
    }

    /// <summary>Intensities, [C, (D,) H, W].</summary>
    public float[] Data { get; }
    public int Channels { get; }
    /// <summary>Spatial shape, slowest first: [H, W] or [D, H, W].</summary>
    public int[] Shape { get; }
    /// <summary>Bits per sample in the file (8, 16, 32); 32 also for float data.</summary>
    public int BitDepth { get; }
    public double[] Spacing { get; }

    /// <summary>The NIfTI header the image came from (its world geometry); null for PNG/TIFF.</summary>
    public NiftiHeader? Header { get; init; }
    public long Voxels => Shape.Aggregate(1L, (a, b) => a * b);

    /// <summary>One channel of <paramref name="channel"/>, copied.</summary>
    public RasterImage Channel(int channel)
    {
        if (channel < 0 || channel >= Channels) throw new ArgumentOutOfRangeException(nameof(channel));
        return new RasterImage(Data.AsSpan(checked((int)(channel * Voxels)), checked((int)Voxels)).ToArray(), 1, Shape, BitDepth, Spacing);
    }

    /// <summary>Drops an alpha channel (gray+alpha → gray, RGBA → RGB); other images are returned unchanged.</summary>
    public RasterImage DropAlpha() => Channels is 2 or 4
        ? new RasterImage(Data.AsSpan(0, checked((int)((Channels - 1) * Voxels))).ToArray(), Channels - 1, Shape, BitDepth, Spacing)
        : this;

    /// <summary>Gray stored in a colour container: three channels with R = G = B at every pixel (alpha already dropped).</summary>
    public bool IsGrayInColour()
    {
        if (Channels != 3) return false;
        var n = checked((int)Voxels);
        var d = Data.AsSpan();
        return d.Slice(0, n).SequenceEqual(d.Slice(n, n)) && d.Slice(0, n).SequenceEqual(d.Slice(2 * n, n));
    }

    /// <summary>Luma (ITU-R BT.601: 0.299 R + 0.587 G + 0.114 B) for RGB(A); the gray channel for gray(+alpha).</summary>
    public RasterImage ToGray()
    {
        if (Channels == 1) return this;
        if (Channels == 2) return Channel(0);
        int n = checked((int)Voxels);
        var gray = new float[n];
        var d = Data;
        for (int i = 0; i < n; i++) gray[i] = 0.299f * d[i] + 0.587f * d[n + i] + 0.114f * d[2 * n + i];
        return new RasterImage(gray, 1, Shape, BitDepth, Spacing);
    }

    /// <summary>The single channel as whole-number labels; a multi-channel image or fractional values are a file error.</summary>
    public int[] ToLabels(string path)
    {
        var source = DropAlpha();
        if (source.Channels == 3)
        {
            // masks saved as RGB with equal channels are common; anything else is not a label map
            int n = checked((int)Voxels);
            for (int i = 0; i < n; i++)
                if (source.Data[i] != source.Data[n + i] || source.Data[i] != source.Data[2 * n + i])
                    throw new DataFormatException(path, $"label image is colour (RGB differ at pixel {i}); expected one channel");
            source = source.Channel(0);
        }
        else if (source.Channels != 1) throw new DataFormatException(path, $"label image has {Channels} channels; expected one");
        var labels = new int[source.Data.Length];
        for (int i = 0; i < labels.Length; i++)
        {
            float v = source.Data[i];
            if (v != MathF.Floor(v) || v < int.MinValue || v > int.MaxValue) throw new DataFormatException(path, $"label value {v} at pixel {i} is not a whole number");
            labels[i] = (int)v;
        }
        return labels;
    }
}
