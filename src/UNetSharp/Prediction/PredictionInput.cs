using UNetSharp.Data;
using UNetSharp.IO;
using UNetSharp.Inference;
using UNetSharp.Models;
using UNetSharp.Planning;

namespace UNetSharp.Prediction;

/// <summary>The file formats a prediction job reads and writes back.</summary>
public enum PredictionFileKind { Nifti, Png, Tiff }

/// <summary>
/// One input read and prepared as the network was trained: colour handled as the data set layouts do (raster alpha
/// dropped, gray per plan.Layout.Gray, gray replicated for an RGB network), channel count checked, intensities
/// normalised per the plan (statistics over the whole image or volume), resampled to the plan's target spacing.
/// </summary>
public sealed class PredictionInput
{
    PredictionInput(string path, PredictionFileKind kind, RasterImage raw, SegmentationCase normalized, SegmentationCase planned, NiftiHeader? header, bool sliceBySlice, int sliceAxis)
    {
        Path = path; Kind = kind; Raw = raw; Normalized = normalized; Planned = planned; Header = header; SliceBySlice = sliceBySlice; SliceAxis = sliceAxis;
    }

    public string Path { get; }
    public PredictionFileKind Kind { get; }

    /// <summary>Intensities as read (after the colour handling), for overlays.</summary>
    public RasterImage Raw { get; }

    /// <summary>Normalised intensities on the input's own grid.</summary>
    public SegmentationCase Normalized { get; }

    /// <summary>What the network predicts: <see cref="Normalized"/> resampled to the plan's target spacing (itself when the plan has none or the spacing already matches).</summary>
    public SegmentationCase Planned { get; }

    /// <summary>True when <see cref="Planned"/> is on another grid than the input, so predictions must be resampled back to <see cref="Shape"/>.</summary>
    public bool Resampled => !Planned.Shape.SequenceEqual(Normalized.Shape);

    /// <summary>The NIfTI header whose geometry the outputs copy; null for PNG/TIFF.</summary>
    public NiftiHeader? Header { get; }

    /// <summary>A 2D network given a volume (3D NIfTI, TIFF stack) predicts it slice by slice across <see cref="SliceAxis"/>.</summary>
    public bool SliceBySlice { get; }

    /// <summary>With <see cref="SliceBySlice"/>: the volume axis the slices are cut across, the plan's
    /// <see cref="ExperimentPlan.SliceAxis"/> (0, the slowest, for a plan trained on 2D images); <see cref="Planned"/> has it first.</summary>
    public int SliceAxis { get; }

    public int[] Shape => Normalized.Shape;

    /// <summary>The file was gray stored as RGB(A) (R = G = B) and read as the one channel a one-channel model takes.</summary>
    public bool GrayFromColour { get; private init; }

    /// <summary>The output format of an input; a DICOM series (folder, DICOMDIR, .dcm) is predicted into NIfTI with its geometry.</summary>
    public static PredictionFileKind KindOf(string path) =>
        NiftiFile.IsNiftiPath(path) || IsDicom(path) ? PredictionFileKind.Nifti
        : path.EndsWith(".png", StringComparison.OrdinalIgnoreCase) ? PredictionFileKind.Png
        : path.EndsWith(".tif", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".tiff", StringComparison.OrdinalIgnoreCase) ? PredictionFileKind.Tiff
        : throw new DataFormatException(path, "unknown image file type (expected .nii, .nii.gz, .png, .tif, .tiff or a DICOM series)");

    public static bool IsDicom(string path) => !ImageFile.IsSupported(path) && UNetSharp.IO.Dicom.DicomInput.Is(path);

    public static PredictionInput Read(string path, ExperimentPlan plan, NetworkConfig network)
    {
        var kind = KindOf(path);
        NiftiHeader? header = null;
        RasterImage image;
        bool grayFromColour = false;
        if (IsDicom(path))
        {
            image = UNetSharp.IO.Dicom.DicomInput.Read(path);
            header = image.Header;
        }
        else if (kind == PredictionFileKind.Nifti)
        {
            var nifti = NiftiFile.Read(path);
            header = nifti.Header;
            if (header.Rank is < 2 or > 4)
                throw new DataFormatException(path, $"{header.Rank}-dimensional NIfTI image; expected 2D, 3D, or 4D with channels in dim 4");
            image = ImageFile.FromNifti(nifti, path);
            // nnU-Net naming: case_0000 is channel 0 of a multi-channel case; its case_0001, ... siblings are the others
            if (image.Channels == 1 && network.InChannels > 1 && PredictionOutputs.IsChannelZero(path))
                image = UNetSharp.Data.Layouts.MsdDataset.Stack(image, UNetSharp.Data.Layouts.MsdDataset.ChannelFiles(path, network.InChannels));
        }
        else
        {
            image = ImageFile.Read(path).DropAlpha();
            if (plan.Layout.Gray) image = image.ToGray();
            else if (network.InChannels == 1 && image.IsGrayInColour()) (image, grayFromColour) = (image.Channel(0), true); // R = G = B: the gray image itself
            if (image.Channels == 1 && network.InChannels == 3) image = Replicate(image);
        }
        FiniteValues.Require(image.Data, path);
        FiniteValues.RequireSpacing(image.Spacing, path);
        if (image.Channels != network.InChannels)
            throw new DataFormatException(path, $"image has {image.Channels} channel(s){(kind == PredictionFileKind.Nifti ? " in dim 4" : " after alpha and gray handling")}, the model expects {network.InChannels}");
        int dims = image.Shape.Length;
        if (dims is < 2 or > 3) throw new DataFormatException(path, $"image shape [{string.Join(",", image.Shape)}] is not 2D or 3D");
        if (network.Dimensions == 3 && dims == 2)
            throw new DataFormatException(path, $"a 3D model needs a volume, this image is 2D ({string.Join("x", image.Shape)})");

        var raw = new SegmentationCase(IsDicom(path) ? UNetSharp.IO.Dicom.DicomInput.Name(path) : ImageFile.Stem(path), image.Data, image.Channels, image.Shape, null, image.Spacing);
        var normalized = NormalizationScheme.Apply(raw, plan.Normalization);
        bool sliceBySlice = network.Dimensions == 2 && dims == 3;
        // a 2D plan of a volume data set moves its slice axis first and resamples in-plane; a plan of 2D images slices as the file is
        var planned = sliceBySlice ? (plan.SliceAxis is null ? normalized : PlannedSpacing.ForNetwork(normalized, plan, path))
            : plan.TargetSpacing is { } target ? PlannedSpacing.Resample(normalized, target, path) : normalized;
        return new PredictionInput(path, kind, image, normalized, planned, header, sliceBySlice, sliceBySlice ? plan.SliceAxis ?? 0 : 0) { GrayFromColour = grayFromColour };
    }

    /// <summary>Gray to RGB, as the DSB layout does for its gray files.</summary>
    static RasterImage Replicate(RasterImage gray)
    {
        var rgb = new float[gray.Data.LongLength * 3];
        for (int c = 0; c < 3; c++) gray.Data.CopyTo(rgb, c * gray.Data.LongLength);
        return new RasterImage(rgb, 3, gray.Shape, gray.BitDepth, gray.Spacing);
    }
}
