namespace UNetSharp.IO;

/// <summary>Reads any supported image file by its name (.png, .tif/.tiff, .nii/.nii.gz) into a common form.</summary>
public static class ImageFile
{
    public static readonly string[] Extensions = [".nii.gz", ".nii", ".png", ".tif", ".tiff"];

    public static bool IsSupported(string path) => Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    /// <summary>A DICOM series folder, a DICOMDIR or a .dcm file (read by <see cref="Dicom.DicomSeries"/>; one series per input).</summary>
    public static bool IsDicom(string path) => Dicom.DicomInput.Is(path);

    /// <summary>File name without its image extension (".nii.gz" counts as one).</summary>
    public static string Stem(string path)
    {
        if (!IsSupported(path) && Dicom.DicomInput.Split(path).SeriesUid is not null) return Dicom.DicomInput.Name(path);
        string name = Path.GetFileName(path);
        string? ext = Extensions.FirstOrDefault(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        return ext is null ? Path.GetFileNameWithoutExtension(name) : name[..^ext.Length];
    }

    /// <summary>Intensities [C, (D,) H, W] with spacing (NIfTI: from pixdim, scaled by scl_slope/inter; 4D: dim[4] = channels).</summary>
    public static RasterImage Read(string path)
    {
        if (!IsSupported(path) && IsDicom(path)) return Dicom.DicomInput.Read(path);
        if (NiftiFile.IsNiftiPath(path))
        {
            var nifti = NiftiFile.Read(path);
            return FromNifti(nifti, path);
        }
        if (path.EndsWith(".png", StringComparison.OrdinalIgnoreCase)) return PngFile.Read(path);
        if (path.EndsWith(".tif", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tiff", StringComparison.OrdinalIgnoreCase)) return TiffFile.Read(path);
        throw new DataFormatException(path, "unknown image file type (expected .nii, .nii.gz, .png, .tif, .tiff, or a DICOM series folder)");
    }

    public static RasterImage FromNifti(NiftiImage nifti, string path)
    {
        var h = nifti.Header;
        if (h.Rank < 2) throw new DataFormatException(path, $"{h.Rank}-dimensional NIfTI image; expected 2D, 3D or 4D");
        int bits = 8 * h.BytesPerVoxel;
        return new RasterImage(nifti.ToFloat32(), h.Channels, h.SpatialShape, bits, h.Spacing) { Header = h };
    }

    /// <summary>A label map (one channel, whole numbers) with its shape [(D,) H, W] and spacing.</summary>
    public static (int[] Labels, int[] Shape, double[] Spacing) ReadLabels(string path)
    {
        var file = ReadLabelFile(path);
        return (file.Labels, file.Shape, file.Spacing);
    }

    /// <summary>As <see cref="ReadLabels"/>, with the NIfTI header (world geometry) where the file has one.</summary>
    public static LabelFile ReadLabelFile(string path)
    {
        if (NiftiFile.IsNiftiPath(path))
        {
            var nifti = NiftiFile.Read(path);
            var h = nifti.Header;
            if (h.Rank < 2 || h.Channels != 1) throw new DataFormatException(path, $"label image has dims [{string.Join(",", h.Sizes)}]; expected one 2D or 3D volume");
            return new LabelFile(nifti.ToInt32Labels(path), h.SpatialShape, h.Spacing, h);
        }
        if (path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) && PngFile.TryReadByteLabels(path) is var (pixels, height, width))
        {
            var labels = new int[pixels.Length];
            for (int i = 0; i < labels.Length; i++) labels[i] = pixels[i];
            return new LabelFile(labels, [height, width], [1.0, 1.0], null);
        }
        var image = Read(path);
        return new LabelFile(image.ToLabels(path), image.Shape, image.Spacing, null);
    }
}

/// <summary>A label map as read: values, spatial shape, spacing, and the NIfTI header where there is one.</summary>
public sealed record LabelFile(int[] Labels, int[] Shape, double[] Spacing, NiftiHeader? Header);
