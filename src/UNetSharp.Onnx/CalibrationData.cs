using UNetSharp.Data;
using UNetSharp.Data.Layouts;
using UNetSharp.Prediction;
using UNetSharp.IO;
using UNetSharp.Models;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Settings;

namespace UNetSharp.Onnx;

/// <summary>
/// Patches for int8 calibration, prepared exactly as the network sees them at prediction time (normalised, resampled,
/// 2D networks given one slice of a volume): from the training cases of a run (its config.json data set and splits.json),
/// or from a folder of images. Seeded: the same run gives the same patches, so an int8 export is reproducible.
/// </summary>
public static class CalibrationData
{
    /// <summary>Up to <paramref name="patches"/> patches of at most the plan's patch size from the run's training cases.</summary>
    public static IReadOnlyList<CalibrationBatch> FromRun(string runFolder, ExperimentPlan plan, int patches = 32, int seed = 0)
    {
        string dataFolder = RunSettingsFile.Load(runFolder).Data;
        if (string.IsNullOrWhiteSpace(dataFolder) || !Directory.Exists(dataFolder))
            throw new DataFormatException(new RunFolder(runFolder).Config, $"the run's data set '{dataFolder}' is not there to calibrate on; name a folder of calibration images");
        var data = DatasetLayouts.Open(dataFolder, plan.Layout);
        var indices = File.Exists(Path.Combine(runFolder, RunSplit.FileName))
            ? RunSplit.Load(runFolder, allowNoValidation: true).Indices(data, Path.Combine(runFolder, RunSplit.FileName)).Train
            : Enumerable.Range(0, data.CaseIds.Count).ToList();
        var source = new PlannedCaseSource(data, indices, plan);
        return Draw(Enumerable.Range(0, source.Count).Select(source.Load), source.Count, plan, patches, seed);
    }

    /// <summary>Up to <paramref name="patches"/> patches from the images of <paramref name="folder"/> (read as predict reads inputs).</summary>
    public static IReadOnlyList<CalibrationBatch> FromImages(string folder, ExperimentPlan plan, int patches = 32, int seed = 0)
    {
        if (!Directory.Exists(folder)) throw new DataFormatException(folder, "calibration image folder not found");
        var files = Directory.EnumerateFiles(folder).Where(ImageFile.IsSupported).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new DataFormatException(folder, "no .nii, .nii.gz, .png, .tif or .tiff images to calibrate on");
        return Draw(files.Select(f => PredictionInput.Read(f, plan, plan.Network).Planned), files.Count, plan, patches, seed);
    }

    /// <summary>Patches spread over the cases (at most 8 cases read, round-robin), random positions from a seeded generator.</summary>
    static IReadOnlyList<CalibrationBatch> Draw(IEnumerable<SegmentationCase> cases, int caseCount, ExperimentPlan plan, int patches, int seed)
    {
        if (patches < 1) throw new ConfigurationException($"calibration needs at least 1 patch, got {patches}");
        var rng = new Random(seed);
        var network = plan.Network;
        int perCase = Math.Max(1, (int)Math.Ceiling(patches / (double)Math.Min(8, Math.Max(1, caseCount))));
        var result = new List<CalibrationBatch>();
        foreach (var c in cases.Take(8))
            for (int k = 0; k < perCase && result.Count < patches; k++)
                result.Add(Patch(c, network, plan.PatchSize, rng));
        if (result.Count == 0) throw new ConfigurationException("no case to draw calibration patches from");
        return result;
    }

    static CalibrationBatch Patch(SegmentationCase c, NetworkConfig network, IReadOnlyList<int> patchSize, Random rng)
    {
        int dims = network.Dimensions;
        int[] shape = c.Shape;
        long plane = shape.Skip(shape.Length - dims).Aggregate(1L, (a, b) => a * b);
        long sliceOffset = shape.Length == dims ? 0 : rng.Next(shape[0]) * plane;   // a 2D network: one slice of a volume
        long channelStride = shape.Aggregate(1L, (a, b) => a * b);
        var spatial = shape.Skip(shape.Length - dims).ToArray();
        var multiples = network.SizeMultiples;
        // at most the patch, at most the image (floored to the size multiple), at least one multiple (zero-padded)
        var size = spatial.Select((s, a) => (int)Math.Max(multiples[a], Math.Min(patchSize[a], s) / multiples[a] * multiples[a])).ToArray();
        var start = spatial.Select((s, a) => s > size[a] ? rng.Next(s - size[a] + 1) : 0).ToArray();
        long count = size.Aggregate(1L, (a, b) => a * b);
        var data = new float[c.Channels * count];
        var index = new int[dims];
        for (long v = 0; v < count; v++)
        {
            long rest = v, source = 0;
            bool inside = true;
            for (int a = dims - 1; a >= 0; a--)
            {
                index[a] = (int)(rest % size[a]);
                rest /= size[a];
            }
            long stride = 1;
            for (int a = dims - 1; a >= 0; a--)
            {
                int at = start[a] + index[a];
                if (at >= spatial[a]) inside = false;
                source += at * stride;
                stride *= spatial[a];
            }
            if (!inside) continue;
            for (int ch = 0; ch < c.Channels; ch++) data[ch * count + v] = c.Image[ch * channelStride + sliceOffset + source];
        }
        return new CalibrationBatch(data, new long[] { 1, c.Channels }.Concat(size.Select(s => (long)s)).ToArray());
    }
}
