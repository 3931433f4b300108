using UNetSharp.IO;
using UNetSharp.Tests.IO;

namespace UNetSharp.Tests.Data.Layouts;

/// <summary>Builds tiny data sets on disk in each layout.</summary>
internal static class LayoutTestData
{
    /// <summary>A 3D NIfTI of [z, y, x] = [2, 3, 4] with the given values and spacing (x, y, z as in pixdim).</summary>
    public static void Nifti(string path, float[] values, double[]? pixdim = null, long[]? sizes = null)
    {
        sizes ??= [4, 3, 2];
        var h = NiftiTestImages.Header(1, true, NiftiDataType.Float32, sizes);
        if (pixdim is not null) for (int i = 0; i < pixdim.Length; i++) h.PixDim[i + 1] = pixdim[i];
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        NiftiFile.Write(path, new NiftiImage(h, new byte[4], values));
    }

    public static float[] Values(int count, Func<int, float> f) => Enumerable.Range(0, count).Select(f).ToArray();

    /// <summary>MSD layout with <paramref name="cases"/> cases "c0", "c1", ...; labels hold 0/1/2.</summary>
    public static void Msd(string root, int cases)
    {
        for (int c = 0; c < cases; c++)
        {
            Nifti(Path.Combine(root, "imagesTr", $"c{c}.nii.gz"), Values(24, i => i + 100 * c));
            Nifti(Path.Combine(root, "labelsTr", $"c{c}.nii.gz"), Values(24, i => i % 3));
        }
    }

    /// <summary>Paired images/ + labels/ PNGs of 4x5; labels binary 0/255 with the first <paramref name="foreground"/> pixels 255.</summary>
    public static void Paired(string root, int cases, int foreground = 6)
    {
        Directory.CreateDirectory(Path.Combine(root, "images"));
        Directory.CreateDirectory(Path.Combine(root, "labels"));
        for (int c = 0; c < cases; c++)
        {
            PngFile.Write(Path.Combine(root, "images", $"s{c}.png"), new RasterImage(Values(20, i => i * 10 + c), 1, [4, 5], 8));
            PngFile.WriteLabels(Path.Combine(root, "labels", $"s{c}.png"), Enumerable.Range(0, 20).Select(i => i < foreground ? 255 : 0).ToArray(), 4, 5);
        }
    }
}
