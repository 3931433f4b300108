using UNetSharp.Data;
using UNetSharp.Data.Layouts;
using UNetSharp.Data.Preprocessing;
using UNetSharp.Models;

namespace UNetSharp.Planning;

/// <summary>
/// Decides a plan from a data set, as nnU-Net's planner: class values from the labels, per-channel normalisation from
/// the modality (CT statistics from foreground voxels), for volumes a target spacing and per-level strides
/// (<see cref="SpacingPlanner"/>), a patch size from the median case shape (at the target spacing) within a CPU budget
/// — 256 px in 2D; 128 per axis and 96³ voxels in 3D — then batch and patch within a memory budget
/// (<see cref="BatchPatchPlanner"/>), and CPU-sized network defaults (2D: the paper's depth 4, widths 32..512; 3D: depth 3, widths 16..128, instance norm).
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
        if (options.Instances is not null && data is not Instances.InstanceTargetDataset)
            throw new ArgumentException("an instance segmentation plan needs the data set wrapped in InstanceTargetDataset");
        var meta = data.Metadata;
        int dataDims = meta.Dimensions;
        int dims = options.Dimensions ?? dataDims;
        if (dims != dataDims && !(dims == 2 && dataDims == 3))
            throw new ConfigurationException($"dimensions {dims} do not match the data set in {data.Root}, which is {dataDims}D (2D networks can train on volumes, 3D networks cannot train on images)");
        int step = Math.Max(1, data.Count / Math.Max(1, options.SampleCases));
        var sampled = Enumerable.Range(0, data.Count).Where(i => i % step == 0).Take(options.SampleCases).ToList();
        var sample = sampled.Select(data.Load).ToList();

        var values = new SortedSet<int> { 0 };
        foreach (var c in sample)
            if (c.Label is { } label) foreach (int v in label.Distinct()) values.Add(v);
        foreach (int declared in meta.Classes.Keys) values.Add(declared);
        if (labelValues is not null) values.UnionWith(labelValues);
        if (values.Count < 2) throw new DataFormatException(data.Root, "no foreground label found in the sampled cases");
        if (values.Min() < 0) throw new DataFormatException(data.Root, $"negative label value {values.Min()}");
        var classValues = values.ToArray();
        // prediction stores class indices as bytes: refuse now rather than after a whole training run
        if (classValues.Length > 256)
            throw new DataFormatException(data.Root, $"the labels hold {classValues.Length} distinct values; at most 256 classes are supported (instance ids are not classes)");

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

        // Volumes: nnU-Net's target spacing, shapes measured at it, strides from it (2D images keep their own spacing and 2x2 pooling).
        double[]? targetSpacing = null;
        string? spacingNote = null;
        int? sliceAxis = null;
        var shapes = sample.Select(c => c.Shape).ToList();
        if (dims == 2 && dataDims == 3)
        {
            // nnU-Net's 2d configuration: slices across the coarsest axis, in-plane at the median spacing, no case budget.
            var full = SpacingPlanner.TargetSpacing(sampled.Select((index, k) => (PlannedSpacing.FileOf(data, index), sample[k].Spacing)).ToList());
            int axis = SpacingPlanner.SliceAxis(full);
            targetSpacing = full.Where((_, a) => a != axis).ToArray();
            sliceAxis = axis;
            spacingNote = $"2D configuration of a volume data set: slices across axis {axis} (the coarsest, {full[axis]:G4} mm at the median), " +
                $"in-plane resampled to [{string.Join(", ", targetSpacing.Select(t => t.ToString("G6", System.Globalization.CultureInfo.InvariantCulture)))}] mm, slice spacing kept; predictions are moved and resampled back to each input's own grid";
            shapes = sample.Select(c => SpacingPlanner.ResampledShape(c.Shape.Where((_, a) => a != axis).ToArray(),
                c.Spacing.Where((_, a) => a != axis).ToArray(), targetSpacing)).ToList();
            var strideSize = options.PatchSize?.ToArray() ?? MedianShape(shapes, dims).Select(m => Math.Min(m, MaxPatch2D)).ToArray();
            network = network with { Strides = SpacingPlanner.Strides(targetSpacing, strideSize, depth, data.Root) };
        }
        else if (dims == 3)
        {
            targetSpacing = SpacingPlanner.TargetSpacing(sampled.Select((index, k) => (PlannedSpacing.FileOf(data, index), sample[k].Spacing)).ToList());
            var medianCase = sample.OrderBy(c => c.Voxels).ElementAt(sample.Count / 2);
            (targetSpacing, spacingNote) = SpacingPlanner.FitCaseBudget(targetSpacing, medianCase.Shape, medianCase.Spacing, options.MaxCaseVoxels);
            shapes = sample.Select(c => SpacingPlanner.ResampledShape(c.Shape, c.Spacing, targetSpacing)).ToList();
            var strideSize = options.PatchSize?.ToArray() ?? MedianShape(shapes, dims).Select(m => Math.Min(m, MaxPatch3D)).ToArray();
            network = network with { Strides = SpacingPlanner.Strides(targetSpacing, strideSize, depth, data.Root) };
        }

        var multiples = network.SizeMultiples;
        var median = MedianShape(shapes, dims);
        var startPatch = SpacingPlanner.PatchSize(median, multiples, dims == 2 ? MaxPatch2D : MaxPatch3D, dims == 2 ? long.MaxValue : MaxPatchVoxels3D);
        if (options.PatchSize is { } given && (given.Count != dims || given.Where((p, a) => p <= 0 || p % multiples[a] != 0).Any()))
            throw new ConfigurationException($"patch size {string.Join("x", given)} must have {dims} axes, each a positive multiple of {string.Join("x", multiples)} " +
                (network.Strides is null ? $"(2^{depth})" : $"(the product of that axis's strides {NetworkConfig.FormatStrides(network.Strides)})"));
        if (options.BatchSize is < 1) throw new ConfigurationException($"batch size must be at least 1, got {options.BatchSize}");
        // the data set's voxels at the planned spacing (median sampled case x cases), for nnU-Net's 5 % batch cap
        long caseVoxels = shapes.Select((s, k) => s.Aggregate(1L, (x, y) => x * y) * (sliceAxis is int ax ? sample[k].Shape[ax] : 1)).Order().ElementAt(shapes.Count / 2);
        // one batch is one float tensor [batch, channels, patch...]: checked here rather than wrapped or left to the allocator
        // (first for a given patch at the smallest batch it can have, before the memory estimate multiplies it further)
        void CheckValues(IReadOnlyList<int> p, int b)
        {
            long batchValues = p.Aggregate((long)b * meta.Channels, (n, v) => n > MaxBatchValues ? n : n * v);
            if (batchValues > MaxBatchValues)
                throw new ConfigurationException($"patch size {string.Join("x", p)} with batch size {b} and {meta.Channels} channel(s) needs over {MaxBatchValues} values per batch");
        }
        if (options.PatchSize is { } fixedPatch) CheckValues(fixedPatch, options.BatchSize ?? 1);
        var (patch, batch, memory) = BatchPatchPlanner.Choose(network, median, startPatch, options.PatchSize, options.BatchSize, options.MemoryBudget, caseVoxels * data.Count);
        CheckValues(patch, batch);

        var normalization = Enumerable.Range(0, meta.Channels).Select(ch =>
        {
            var kind = options.Normalization
                ?? (ch < meta.Modalities.Count ? NormalizationScheme.ForModality(meta.Modalities[ch]) : Guess(sample, ch, dataDims));
            if (options.Normalization is null && kind == NormalizationKind.ZScore && AlreadyZScored(sample, ch)) kind = NormalizationKind.None;
            return kind == NormalizationKind.Ct ? CtStatistics(sample, ch) : new ChannelNormalization(kind);
        }).ToList();

        return new ExperimentPlan
        {
            Network = network, Normalization = normalization, PatchSize = patch.ToArray(), TargetSpacing = targetSpacing, SpacingNote = spacingNote, SliceAxis = sliceAxis,
            BatchSize = batch, Memory = memory, Layout = options.Layout, ClassValues = classValues,
            Modalities = meta.Modalities.ToArray(), Instances = options.Instances,
        };
    }

    /// <summary>Median size per axis (the upper median for an even count).</summary>
    static int[] MedianShape(IReadOnlyList<int[]> shapes, int dims) =>
        Enumerable.Range(0, dims).Select(a => shapes.Select(s => s[a]).OrderBy(s => s).ElementAt(shapes.Count / 2)).ToArray();

    /// <summary>Without a declared modality: CT if intensities reach well below zero (Hounsfield air), MRI-like z-score for other 3D volumes, [0,1] for 2D images.</summary>
    static NormalizationKind Guess(IReadOnlyList<SegmentationCase> sample, int channel, int dims)
    {
        float min = sample.Min(c => { float m = float.MaxValue; foreach (float v in IntensityStatistics.ChannelSpan(c, channel)) if (v < m) m = v; return m; });
        if (min < -500) return NormalizationKind.Ct;
        return dims == 3 ? NormalizationKind.ZScore : NormalizationKind.UnitRange;
    }

    /// <summary>
    /// True when every sampled case's channel is already standardised inside the body (mean within 0.25 of 0, sd within a
    /// factor 2 of 1), as BraTS-style pre-processed MRI is (the shared BraTS cases: brain mean -0.02 / -0.17, sd 1.48, as
    /// their provider z-scored with its own mask): a second z-score would not help, and over the whole volume it would
    /// count the constant background, so none is planned (nnU-Net's noNorm). The body
    /// is every voxel above the background, the channel's minimum when it fills at least 1 % of the volume (pre-processed
    /// BraTS stores the outside of the brain as one constant below the brain's values), else the non-zero voxels.
    /// </summary>
    public const double MaxStandardMean = 0.25, MaxStandardSdRatio = 2;

    public static bool AlreadyZScored(IReadOnlyList<SegmentationCase> sample, int channel)
    {
        if (sample.Count == 0) return false;
        foreach (var c in sample)
        {
            var span = IntensityStatistics.ChannelSpan(c, channel);
            float min = float.MaxValue;
            foreach (float v in span) if (v < min) min = v;
            long atMin = 0;
            foreach (float v in span) if (v == min) atMin++;
            bool constantBackground = atMin >= span.Length / 100;
            double sum = 0, sumSq = 0;
            long n = 0;
            foreach (float v in span)
                if (constantBackground ? v > min : v != 0) { sum += v; sumSq += (double)v * v; n++; }
            if (n < 100) return false;
            double mean = sum / n, sd = Math.Sqrt(Math.Max(0, sumSq / n - mean * mean));
            if (Math.Abs(mean) > MaxStandardMean || sd < 1 / MaxStandardSdRatio || sd > MaxStandardSdRatio) return false;
        }
        return true;
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
