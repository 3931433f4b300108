using UNetSharp.Models.Topology;

namespace UNetSharp.Models;

/// <summary>
/// Memory of one training step at one patch size and batch (<see cref="TrainingMemory.Estimate"/>).
/// </summary>
/// <param name="Parameters">Trainable parameters (every node, head and CGM).</param>
/// <param name="FixedBytes">Batch-independent: parameters, their gradients and Adam's two moments (4 × 4 bytes each), plus <see cref="TrainingMemory.StepOverheadBytes"/>.</param>
/// <param name="ActivationBytesPerSample">Raw count: what autograd keeps for backward per sample (see <see cref="TrainingMemory.ActivationBytesPerSample"/>).</param>
/// <param name="BytesPerSample">The raw count times the path's calibration factor (<see cref="TrainingMemory.EfficientPathFactor"/>, <see cref="TrainingMemory.PlainPathFactor"/>): the measured peak per sample, backward's gradient buffers included.</param>
/// <param name="MemoryEfficientPath">Whether the network takes its recomputing path at this batch (<see cref="NetworkConfig.MemoryEfficient"/>).</param>
/// <param name="Batch">The batch the estimate is for.</param>
public sealed record TrainingMemoryEstimate(long Parameters, long FixedBytes, long ActivationBytesPerSample, long BytesPerSample, bool MemoryEfficientPath, int Batch)
{
    /// <summary>Estimated peak of the step above the process's baseline: <see cref="FixedBytes"/> + batch × <see cref="BytesPerSample"/>.</summary>
    public long TotalBytes => FixedBytes + Batch * BytesPerSample;
}

/// <summary>
/// Training-memory estimate of a network, derived from its topology the way <see cref="NetworkCost"/> derives FLOPs (no
/// module is built), used by the planner to choose batch and patch within a memory budget as nnU-Net does with its VRAM
/// estimate. Counted per sample (everything below is linear in the batch for a fixed forward path):
/// <list type="bullet">
/// <item>the input batch, its channels-last copy (when the network runs channels-last) and the int64 label map;</item>
/// <item>per node block X^{i,j} at full depth: every convolution's output (kept by the norm that reads it) and every ReLU
/// output (ReLU runs in place on the norm's output and keeps its result, which is also the next convolution's input) —
/// 2 tensors of C × V_i per convolution; the concatenated input of the first convolution (dense and full-scale skips);
/// on the plain path the resampled copies a convolution reads directly and max-pooling's int64 indices; on the
/// memory-efficient path only the same-level concatenation (resampled parts are recomputed from their sources in
/// backward, <see cref="Layers.ResampledConvolution"/>);</item>
/// <item>per head (all of them: training runs every deep-supervision head): logits up-sampled to full size plus what the
/// loss keeps (BCE-Dice: logits, target, sigmoid = 3 × K × V_0; CE-Dice: log-softmax, softmax, one-hot target, 1 − target,
/// 1 − p and the logits = 6 × K × V_0);</item>
/// <item>the CGMs: dropout output (float) and mask (1 byte) on X^{L,0} and X^{1,0}, and their 1×1 convolution outputs.</item>
/// </list>
/// What this count leaves out — gradient buffers during backward, forward temporaries (a node's resampled copies before
/// its dispose scope ends), oneDNN scratch space and allocator slack — is proportional to the same activations, so the
/// raw count is scaled by a factor per path fitted to the peak resident memory of real training steps (<c>bench memory</c>,
/// docs/BENCHMARKS.md). Batch-independent: parameters, gradients and Adam's two moments (the largest state of the three
/// optimisers) plus a measured constant overhead of the step. Not counted: the process's baseline before training (runtime,
/// libtorch) and the loader's cached cases.
/// </summary>
public static class TrainingMemory
{
    /// <summary>
    /// Measured peak per sample over the raw activation count on the memory-efficient path (every real plan: inputs of at
    /// least 64K voxels per batch): the slope of measured peak against batch × raw count in <c>bench memory</c>
    /// (docs/BENCHMARKS.md). What it covers beyond the raw count: backward's gradient buffers, the forward temporaries and
    /// the recomputed resampled copies in backward.
    /// </summary>
    public const double EfficientPathFactor = 1.98;

    /// <summary>
    /// The same slope on the plain path (inputs under 64K voxels per batch: small patches, the tests' networks), with the
    /// same intercept. Below 1 only because the intercept is shared: fitted alone, the plain path's three steps give slope
    /// 1.50 and intercept 368 MiB (the same totals within 7 % at its sizes); one intercept keeps the fixed part of every
    /// estimate the same.
    /// </summary>
    public const double PlainPathFactor = 0.93;

    /// <summary>
    /// Batch-independent memory a training step holds beyond the parameters' state, measured as the intercept of the same
    /// fit: libtorch/oneDNN work space and heap the allocator keeps between steps. 640 MiB.
    /// </summary>
    public const long StepOverheadBytes = 640L << 20;

    /// <summary>Adam keeps two moments per parameter; with the parameter and its gradient: 4 float32 values.</summary>
    const int FixedValuesPerParameter = 4;

    /// <summary>The step's memory at <paramref name="patch"/> (spatial, slowest axis first) and <paramref name="batch"/>.</summary>
    public static TrainingMemoryEstimate Estimate(NetworkConfig config, IReadOnlyList<long> patch, int batch)
    {
        ArgumentNullException.ThrowIfNull(config);
        if (batch < 1) throw new ArgumentOutOfRangeException(nameof(batch), $"batch must be at least 1, got {batch}");
        config.ValidateInputSize(patch);
        var topology = config.Topology();
        bool efficient = UsesMemoryEfficientPath(config, patch, batch);
        long parameters = Parameters(config, topology);
        long raw = ActivationBytesPerSample(config, topology, patch, efficient);
        return new TrainingMemoryEstimate(parameters, parameters * FixedValuesPerParameter * sizeof(float) + StepOverheadBytes, raw,
            (long)Math.Ceiling(raw * (efficient ? EfficientPathFactor : PlainPathFactor)), efficient, batch);
    }

    /// <summary>The network's own rule (<see cref="SegmentationNetwork.Forward"/>): recompute when enabled and the batch holds at least <see cref="NetworkConfig.MemoryEfficientMinVoxels"/> voxels.</summary>
    public static bool UsesMemoryEfficientPath(NetworkConfig config, IReadOnlyList<long> patch, int batch) =>
        config.MemoryEfficient && batch * patch.Aggregate(1L, (a, b) => a * b) >= config.MemoryEfficientMinVoxels;

    /// <summary>Trainable parameters counted from the topology: 3^D convolutions with bias, affine norms (2 per channel), k^D heads, 1×1 CGMs.</summary>
    public static long Parameters(NetworkConfig config, SkipTopology topology)
    {
        long kernel = (long)Math.Pow(3, config.Dimensions);
        long ConvNorm(long input, long output) => kernel * input * output + output + 2 * output;
        long total = 0;
        foreach (var node in topology.Nodes)
        {
            foreach (var path in node.Inputs.Where(p => p.PathChannels > 0))
                total += ConvNorm(path.Source.IsInput ? config.InChannels : topology.OutChannels(path.Source), path.PathChannels);
            total += ConvNorm(topology.InputChannels(node, config.InChannels), node.OutChannels);
            if (node.Block == NodeBlock.DoubleConv) total += ConvNorm(node.OutChannels, node.OutChannels);
        }
        foreach (var head in topology.Heads.Where(h => config.DeepSupervision || !h.DeepSupervisionOnly))
            total += (long)Math.Pow(head.Kernel, config.Dimensions) * topology.OutChannels(head.Node) * config.Classes + config.Classes;
        if (config.Cgm)
            foreach (var node in CgmNodes(config))
                total += (long)topology.OutChannels(node) * config.Classes + config.Classes;
        return total;
    }

    /// <summary>
    /// Bytes autograd keeps per sample during a full-depth training step with every head (see the class comment for what
    /// is counted and why); <paramref name="memoryEfficient"/> selects the recomputing path or the plain one.
    /// </summary>
    public static long ActivationBytesPerSample(NetworkConfig config, SkipTopology topology, IReadOnlyList<long> patch, bool memoryEfficient)
    {
        const long F = sizeof(float), I64 = sizeof(long);
        long Voxels(int level)
        {
            var scale = config.LevelScale(level);
            return patch.Select((s, a) => s / scale[a]).Aggregate(1L, (x, y) => x * y);
        }
        long v0 = Voxels(0);
        bool channelsLast = config.ChannelsLast && (config.Dimensions == 2 || config.Norm == NormKind.Instance);
        long bytes = config.InChannels * v0 * F * (channelsLast ? 2 : 1) + v0 * I64;   // input (+ channels-last copy), labels

        foreach (var node in topology.NodesFor(config.Depth))
        {
            long v = Voxels(node.Id.Level);
            int convs = node.Block == NodeBlock.DoubleConv ? 2 : 1;
            bytes += 2L * convs * node.OutChannels * v * F;                 // conv outputs (kept by norms) and ReLU outputs
            var widths = node.Inputs.Select(i => (long)(i.Source.IsInput ? config.InChannels : topology.OutChannels(i.Source))).ToArray();
            long pending = 0;
            int pendingParts = 0;
            void Flush()
            {
                if (pendingParts > 1) bytes += pending * v * F;            // a concatenation is the first convolution's saved input
                pending = 0;
                pendingParts = 0;
            }
            for (int k = 0; k < node.Inputs.Count; k++)
            {
                var input = node.Inputs[k];
                bool resampled = !input.Source.IsInput && input.Source.Level != node.Id.Level;
                bool pooled = resampled && input.Source.Level < node.Id.Level;
                if (input.PathChannels > 0) bytes += 2L * input.PathChannels * v * F;   // UNet 3+ path: conv output + ReLU output
                if (memoryEfficient)
                {
                    // resampled inputs (raw, or read by a path convolution) are recomputed in backward: nothing kept
                    if (input.PathChannels > 0 || !resampled) { pending += input.PathChannels > 0 ? input.PathChannels : widths[k]; pendingParts++; }
                    else Flush();
                    continue;
                }
                if (pooled) bytes += widths[k] * v * I64;                   // max-pooling keeps int64 indices for backward
                // a resampled copy is kept when a convolution reads it directly (a path convolution, or a sole input);
                // inside a concatenation only the concatenation is kept
                if (resampled && (input.PathChannels > 0 || node.Inputs.Count == 1)) bytes += widths[k] * v * F;
            }
            if (memoryEfficient) Flush();
            else if (node.Inputs.Count > 1) bytes += topology.InputChannels(node, config.InChannels) * v * F;
        }

        int heads = topology.Heads.Count(h => config.DeepSupervision || !h.DeepSupervisionOnly);
        bytes += heads * (config.Classes == 1 ? 3L : 6L) * config.Classes * v0 * F;   // full-size logits and what the loss keeps
        if (config.Cgm)
            foreach (var node in CgmNodes(config))
            {
                long v = Voxels(node.Level), c = topology.OutChannels(node);
                bytes += c * v * (F + 1) + config.Classes * v * F;          // dropout output + bool mask, 1x1 conv output
            }
        return bytes;
    }

    static NodeId[] CgmNodes(NetworkConfig config) => [new(config.Depth, 0), new(Math.Min(1, config.Depth), 0)];

    /// <summary>"3.2 GiB", "512 MiB", "900 KiB", "12 B": binary units, 3 significant digits.</summary>
    public static string Format(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double value = bytes;
        int u = 0;
        while (Math.Abs(value) >= 1024 && u < units.Length - 1) { value /= 1024; u++; }
        return u == 0 ? $"{bytes} B" : $"{value.ToString(value >= 100 ? "F0" : value >= 10 ? "F1" : "F2", System.Globalization.CultureInfo.InvariantCulture)} {units[u]}";
    }
}
