using UNetSharp.IO;

namespace UNetSharp.Data.Layouts;

/// <summary>Combines an image and a label read from files into a case, refusing pairs that do not describe the same grid.</summary>
internal static class CasePairing
{
    /// <summary>Relative tolerance on spacing; float32 pixdims of the same grid agree far better than this.</summary>
    const double SpacingTolerance = 1e-5;

    public static SegmentationCase Combine(string id, RasterImage image, string imagePath, (int[] Labels, int[] Shape, double[] Spacing)? label, string? labelPath,
        NiftiHeader? labelHeader = null)
    {
        if (image.Shape.Length is < 2 or > 3) throw new DataFormatException(imagePath, $"image shape [{string.Join(",", image.Shape)}] is not 2D or 3D");
        if (label is var (labels, shape, spacing))
        {
            string where = labelPath ?? imagePath;
            if (!shape.SequenceEqual(image.Shape))
                throw new DataFormatException(where, $"label shape [{string.Join(",", shape)}] does not match image shape [{string.Join(",", image.Shape)}] of {Path.GetFileName(imagePath)}");
            if (!SameSpacing(spacing, image.Spacing))
                throw new DataFormatException(where, $"label spacing [{Format(spacing)}] does not match image spacing [{Format(image.Spacing)}] of {Path.GetFileName(imagePath)}");
            // two NIfTI files may agree on shape and spacing and still sit at different places in the patient
            if (image.Header is { } imageHeader && labelHeader is not null
                && NiftiGeometry.Mismatch(labelHeader, imageHeader, "label", $"image {Path.GetFileName(imagePath)}") is { } geometry)
                throw new DataFormatException(where, geometry);
            return new SegmentationCase(id, image.Data, image.Channels, image.Shape, labels, image.Spacing);
        }
        return new SegmentationCase(id, image.Data, image.Channels, image.Shape, null, image.Spacing);
    }

    public static bool SameSpacing(double[] a, double[] b) =>
        a.Length == b.Length && a.Zip(b).All(p => Math.Abs(p.First - p.Second) <= SpacingTolerance * Math.Max(Math.Abs(p.First), Math.Abs(p.Second)));

    static string Format(double[] values) => string.Join(",", values.Select(v => v.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>Binary masks stored as 0/255 become classes 0/1 with <paramref name="foreground"/> as class 1; other files keep their values as class indices.</summary>
    public static int[] MapBinary(int[] raw, int foreground, string path)
    {
        bool onlyBinary = raw.All(v => v is 0 or 255);
        bool looksBinary = onlyBinary && (foreground != 255 || raw.Contains(255));
        if (!looksBinary)
        {
            if (raw.Contains(255)) throw new DataFormatException(path, "label values mix 255 with values other than 0: neither a binary 0/255 mask nor class indices");
            return raw;
        }
        var mapped = new int[raw.Length];
        for (int i = 0; i < raw.Length; i++) mapped[i] = raw[i] == foreground ? 1 : 0;
        return mapped;
    }

    /// <summary>Colour handling shared by the 2D layouts: alpha dropped, then gray, or gray replicated to RGB where a data set
    /// mixes gray and colour files (DSB) and every case must have the same channel count.</summary>
    public static RasterImage Colour(RasterImage image, bool gray, bool forceRgb = false)
    {
        image = image.DropAlpha();
        if (gray) return image.ToGray();
        if (image.Channels != 1 || !forceRgb) return image;
        var rgb = new float[image.Data.Length * 3];
        for (int c = 0; c < 3; c++) image.Data.CopyTo(rgb, c * image.Data.Length);
        return new RasterImage(rgb, 3, image.Shape, image.BitDepth, image.Spacing);
    }
}
