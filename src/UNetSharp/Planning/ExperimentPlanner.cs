using UNetSharp.Data;
using UNetSharp.Data.Layouts;
using UNetSharp.Data.Preprocessing;
using UNetSharp.Models;

namespace UNetSharp.Planning;

/// <summary>
/// Decides a plan from a data set, as nnU-Net's planner: class values from the labels, per-channel normalisation from
/// the modality (CT statistics from foreground voxels), a patch size from the median case shape within a CPU budget,
/// and CPU-sized network defaults (2D: the paper's depth 4, widths 32..512; 3D: depth 3, widths 16..128, instance norm).
/// </summary>
public static class ExperimentPlanner
{
    const int MaxPatch2D = 256, MaxPatch3D = 128;
    const long MaxPatchVoxels3D = 96L * 96 * 96;

    /// <summary>Most input values one training batch may hold (a float tensor of 8 GiB).</summary>
    public const long MaxBatchValues = int.MaxValue;

    /// <param name="labelValues">Label values of every case where known (<see cref="DatasetCheck.Require"/>); otherwise the
    /// class values come from the sampled cases and the declared labels only.</param>
    public static ExperimentPlan Plan(SegmentationDataset data, PlanOptions options, IEnumerable<int>? labelValues = null)
    {
        if (data.Count == 0) throw new DataFormatException(data.Root, "the data set has no cases");
        var meta = data.Metadata;
        int dims = meta.Dimensions;
        int step = Math.Max(1, data.Count / Math.Max(1, options.SampleCases));
        var sample = Enumerable.Range(0, data.Count).Where(i => i % step == 0).Take(options.SampleCases).Select(data.Load).ToList();

        var values = new SortedSet<int> { 0 };
        foreach (var c in sample)
            if (c.Label is { } label) foreach (int v in label.Distinct()) values.Add(v);
        foreach (int declared in meta.Classes.Keys) values.Add(declared);
        if (labelValues is not null) values.UnionWith(labelValues);
        if (values.Count < 2) throw new DataFormatException(data.Root, "no foreground label found in the sampled cases");
        if (values.Min() < 0) throw new DataFormatException(data.Root, $"negative label value {values.Min()}");
        var classValues = values.ToArray();

        int depth = options.Depth ?? (dims == 2 ? 4 : 3);
        var widths = options.Widths ?? NetworkConfig.DefaultWidths(depth, dims == 2 ? 32 : 16);
        var network = new NetworkConfig
        {
            Architecture = options.Architecture, Dimensions = dims, InChannels = meta.Channels,
            Classes = classValues.Length == 2 ? 1 : classValues.Length, Depth = depth, Widths = widths,
            Norm = options.Norm ?? (dims == 2 ? NormKind.Batch : NormKind.Instance),
            DeepSupervision = options.DeepSupervision, Cgm = options.Cgm,
        };
        network.Validate();

        var patch = options.PatchSize ?? PatchFor(sample, dims, network.SizeMultiple);
        if (patch.Count != dims || patch.Any(p => p <= 0 || p % network.SizeMultiple != 0))
            throw new ConfigurationException($"patch size {string.Join("x", patch)} must have {dims} axes, each a positive multiple of 2^{depth} = {network.SizeMultiple}");
        int batch = options.BatchSize ?? (dims == 2 ? 8 : 2);
        if (batch < 1) throw new ConfigurationException($"batch size must be at least 1, got {batch}");
        // one batch is one float tensor [batch, channels, patch...]: checked here rather than wrapped or left to the allocator
        long batchValues = patch.Aggregate((long)batch * meta.Channels, (n, p) => n > MaxBatchValues ? n : n * p);
        if (batchValues > MaxBatchValues)
            throw new ConfigurationException($"patch size {string.Join("x", patch)} with batch size {batch} and {meta.Channels} channel(s) needs over {MaxBatchValues} values per batch");

        var normalization = Enumerable.Range(0, meta.Channels).Select(ch =>
        {
            var kind = options.Normalization
                ?? (ch < meta.Modalities.Count ? NormalizationScheme.ForModality(meta.Modalities[ch]) : Guess(sample, ch, dims));
            return kind == NormalizationKind.Ct ? CtStatistics(sample, ch) : new ChannelNormalization(kind);
        }).ToList();

        return new ExperimentPlan
        {
            Network = network, Normalization = normalization, PatchSize = patch.ToArray(),
            BatchSize = batch, Layout = options.Layout, ClassValues = classValues,
            Modalities = meta.Modalities.ToArray(),
        };
    }

    /// <summary>Median case shape rounded up to the size multiple, capped (256 px in 2D; 128 per axis and 96³ voxels in 3D).</summary>
    static IReadOnlyList<int> PatchFor(IReadOnlyList<SegmentationCase> sample, int dims, int multiple)
    {
        var patch = new int[dims];
        for (int a = 0; a < dims; a++)
        {
            var sizes = sample.Select(c => c.Shape[a]).OrderBy(s => s).ToList();
            int median = sizes[sizes.Count / 2];
            int cap = dims == 2 ? MaxPatch2D : MaxPatch3D;
            patch[a] = Math.Max(multiple, Math.Min(cap, (median + multiple - 1) / multiple * multiple));
        }
        while (dims == 3 && patch.Aggregate(1L, (x, y) => x * y) > MaxPatchVoxels3D)
        {
            int largest = Array.IndexOf(patch, patch.Max());
            if (patch[largest] <= multiple) break;
            patch[largest] -= multiple;
        }
        return patch;
    }

    /// <summary>Without a declared modality: CT if intensities reach well below zero (Hounsfield air), MRI-like z-score for other 3D volumes, [0,1] for 2D images.</summary>
    static NormalizationKind Guess(IReadOnlyList<SegmentationCase> sample, int channel, int dims)
    {
        float min = sample.Min(c => { float m = float.MaxValue; foreach (float v in IntensityStatistics.ChannelSpan(c, channel)) if (v < m) m = v; return m; });
        if (min < -500) return NormalizationKind.Ct;
        return dims == 3 ? NormalizationKind.ZScore : NormalizationKind.UnitRange;
    }

    /// <summary>CT: clip window and z-score statistics from the foreground voxels of the sampled cases (nnU-Net's rule).</summary>
    static ChannelNormalization CtStatistics(IReadOnlyList<SegmentationCase> sample, int channel)
    {
        var values = new List<float>();
        foreach (var c in sample)
        {
            if (c.Label is null) continue;
            var span = IntensityStatistics.ChannelSpan(c, channel);
            int stride = Math.Max(1, c.Label.Count(l => l > 0) / 20000);
            int seen = 0;
            for (int i = 0; i < c.Label.Length; i++)
                if (c.Label[i] > 0 && seen++ % stride == 0) values.Add(span[i]);
        }
        if (values.Count == 0) return new ChannelNormalization(NormalizationKind.ZScore);
        var ct = CtNormalization.FromForeground(values.ToArray());
        return new ChannelNormalization(NormalizationKind.Ct, ct.Lower, ct.Upper, ct.Mean ?? 0, ct.Std ?? 1);
    }
}
