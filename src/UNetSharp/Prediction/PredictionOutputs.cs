using UNetSharp.IO;
using UNetSharp.Inference;
using UNetSharp.Planning;
using UNetSharp.Overlays;

namespace UNetSharp.Prediction;

/// <summary>
/// Writes one input's outputs into the output folder, each atomically, named after the input's case name (the file name
/// without an nnU-Net channel suffix: case_0000.nii.gz → case.nii.gz):
/// <list type="bullet">
/// <item>the label map, same name and format: NIfTI uint8 (wider only when class values exceed 255) with the input's
/// header geometry (dims, pixdim, qform, sform, units) copied; PNG/TIFF 8-bit (16-bit above 255), TIFF stacks as pages;</item>
/// <item><c>&lt;stem&gt;_prob&lt;k&gt;</c> per foreground class index k: NIfTI float32 with the same geometry, PNG 16-bit
/// scaled to 0..65535, TIFF float32;</item>
/// <item><c>overlays/&lt;stem&gt;_overlay.png</c>: prediction contours on the first channel (3D: the slice with most foreground, else the middle one).</item>
/// </list>
/// Label values are plan.ClassValues per class index, except that a binary plan with class values 0/1 writes PNG/TIFF masks
/// as 0/255 with Layout.BinaryForeground as the foreground value: the paired-folder convention its loader maps back.
/// </summary>
public static class PredictionOutputs
{
    /// <summary>The value written for each class index.</summary>
    public static int[] LabelValues(ExperimentPlan plan, PredictionFileKind kind)
    {
        var values = plan.ClassValues.ToArray();
        if (kind != PredictionFileKind.Nifti && plan.Network.Classes == 1 && values.SequenceEqual([0, 1]))
        {
            int foreground = plan.Layout.BinaryForeground;
            values = [foreground == 0 ? 255 : 0, foreground];
        }
        return values;
    }

    /// <summary>Folder under the output folder for overlay pictures, so that the output folder holds label maps only
    /// (and `evaluate` can score it as it is).</summary>
    public const string OverlayFolder = "overlays";

    /// <summary>nnU-Net names each input channel file CASE_XXXX; channel 0 of a case is CASE_0000.</summary>
    public const string ChannelZeroSuffix = "_0000";

    /// <summary>The case name of an input: its stem without the nnU-Net channel suffix, so that outputs pair with the
    /// references (imagesTr/case_0000.nii.gz ↔ labelsTr/case.nii.gz).</summary>
    public static string CaseName(string input)
    {
        if (PredictionInput.IsDicom(input)) return UNetSharp.IO.Dicom.DicomInput.Name(input);
        string stem = ImageFile.Stem(input);
        return stem.Length > ChannelZeroSuffix.Length && stem.EndsWith(ChannelZeroSuffix, StringComparison.Ordinal) ? stem[..^ChannelZeroSuffix.Length] : stem;
    }

    /// <summary>True for an nnU-Net channel-0 file (case_0000.ext).</summary>
    public static bool IsChannelZero(string input)
    {
        string stem = ImageFile.Stem(input);
        return stem.Length > ChannelZeroSuffix.Length && stem.EndsWith(ChannelZeroSuffix, StringComparison.Ordinal);
    }

    /// <summary>True for case_0001, case_0002, ... whose case_0000 lies beside it: predicted with that case, not alone.</summary>
    public static bool IsOtherChannelOfACase(string input)
    {
        var match = UNetSharp.Data.Layouts.MsdDataset.ChannelSuffix().Match(ImageFile.Stem(input));
        if (!match.Success || match.Groups[2].Value == "0000") return false;
        string name = Path.GetFileName(input), stem = ImageFile.Stem(input);
        return File.Exists(Path.Combine(Path.GetDirectoryName(Path.GetFullPath(input))!, match.Groups[1].Value + ChannelZeroSuffix + name[stem.Length..]));
    }

    /// <summary>Output file name for the input with a suffix before its image extension ("" = the label map).</summary>
    public static string OutputPath(string outDir, string input, string suffix = "", string? extension = null)
    {
        if (PredictionInput.IsDicom(input)) return Path.Combine(outDir, CaseName(input) + suffix + (extension ?? ".nii.gz"));
        string name = Path.GetFileName(input), stem = ImageFile.Stem(input);
        return Path.Combine(outDir, CaseName(input) + suffix + (extension ?? name[stem.Length..]));
    }

    /// <summary>Every file <see cref="Write"/> would write for <paramref name="input"/>, in order, without reading it.</summary>
    public static List<string> PlannedPaths(string outDir, string input, int channels, bool probabilities, bool overlay)
    {
        var paths = new List<string> { OutputPath(outDir, input) };
        if (probabilities)
            for (int k = 1; k <= ForegroundMaps(channels); k++) paths.Add(ProbabilityPath(outDir, input, k));
        if (overlay) paths.Add(OverlayPath(outDir, input));
        return paths;
    }

    /// <summary>Probability maps written: the one channel of a binary network, channels 1..C-1 otherwise (background is implied).</summary>
    static int ForegroundMaps(int channels) => channels == 1 ? 1 : channels - 1;

    internal static string ProbabilityPath(string outDir, string input, int k) =>
        OutputPath(outDir, input, $"_prob{k}", PredictionInput.KindOf(input) == PredictionFileKind.Png ? ".png" : null);

    /// <summary>The overlay picture for an input, in <see cref="OverlayFolder"/>.</summary>
    public static string OverlayPath(string outDir, string input) => OutputPath(Path.Combine(outDir, OverlayFolder), input, "_overlay", ".png");

    public static List<string> Write(PredictionInput input, byte[] classes, float[]? probabilities, int channels, ExperimentPlan plan,
        string outDir, bool overlay)
    {
        var written = new List<string>();
        var table = LabelValues(plan, input.Kind);
        var values = new int[classes.Length];
        for (int i = 0; i < values.Length; i++) values[i] = table[classes[i]];
        string labels = OutputPath(outDir, input.Path);
        WriteLabels(labels, input, values, table.Max());
        written.Add(labels);

        if (probabilities is not null)
        {
            long voxels = classes.LongLength;
            // binary: the one channel is class 1; multi-class: channels 1..C-1 (background is implied)
            for (int k = 1; k <= ForegroundMaps(channels); k++)
            {
                int channel = channels == 1 ? 0 : k;
                var map = probabilities.AsSpan(checked((int)(channel * voxels)), checked((int)voxels)).ToArray();
                string path = ProbabilityPath(outDir, input.Path, k);
                WriteProbability(path, input, map);
                written.Add(path);
            }
        }
        if (overlay)
        {
            string path = OverlayPath(outDir, input.Path);
            WriteOverlay(path, input, classes);
            written.Add(path);
        }
        return written;
    }

    static void WriteLabels(string path, PredictionInput input, int[] values, int max)
    {
        switch (input.Kind)
        {
            case PredictionFileKind.Nifti:
                NiftiFile.Write(path, NiftiImage.FromLabels(values, input.Header!, max <= byte.MaxValue ? NiftiDataType.UInt8 : null));
                break;
            case PredictionFileKind.Png:
                PngFile.WriteLabels(path, values, input.Shape[0], input.Shape[1]);
                break;
            default:
                int bits = max > byte.MaxValue ? 16 : 8;
                TiffFile.Write(path, new RasterImage(Array.ConvertAll(values, v => (float)v), 1, input.Shape, bits), bits);
                break;
        }
    }

    internal static void WriteProbability(string path, PredictionInput input, float[] map)
    {
        switch (input.Kind)
        {
            case PredictionFileKind.Nifti:
                NiftiFile.Write(path, NiftiImage.FromFloat32(map, input.Header!));
                break;
            case PredictionFileKind.Png:
                var scaled = Array.ConvertAll(map, p => MathF.Round(Math.Clamp(p, 0f, 1f) * 65535f));
                PngFile.Write(path, new RasterImage(scaled, 1, input.Shape, 16), 16);
                break;
            default:
                TiffFile.Write(path, new RasterImage(map, 1, input.Shape, 32), 32);
                break;
        }
    }

    static void WriteOverlay(string path, PredictionInput input, byte[] classes)
    {
        int h = input.Shape[^2], w = input.Shape[^1], plane = h * w;
        int slice = input.Shape.Length == 3 ? OverlayImage.BusiestSlice<byte>(classes, plane, fallback: input.Shape[0] / 2) : 0;
        var prediction = Array.ConvertAll(classes[(slice * plane)..((slice + 1) * plane)], b => (int)b);
        OverlayImage.Write(path, input.Raw.Data.AsSpan(slice * plane, plane), h, w, prediction);
    }
}
