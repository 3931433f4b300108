using System.Text.Json.Serialization;
using UNetSharp.Models.Topology;

namespace UNetSharp.Models;

/// <summary>Normalisation layer used in every block.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<NormKind>))]
public enum NormKind { Batch, Instance }

/// <summary>
/// Everything that fixes a network's shape. Saved with checkpoints and exported models so that a file
/// alone rebuilds its network. Defaults are the UNet# paper's (depth 4, widths 32..512, batch norm).
/// </summary>
public sealed record NetworkConfig
{
    public string Architecture { get; init; } = "unet#";

    /// <summary>Spatial dimensions: 2 (images) or 3 (volumes).</summary>
    public int Dimensions { get; init; } = 2;

    public int InChannels { get; init; } = 1;

    /// <summary>Output channels. 1 = binary (sigmoid); C ≥ 2 = multi-class (softmax, class 0 = background).</summary>
    public int Classes { get; init; } = 1;

    /// <summary>Number of down-samplings L; the grid has levels 0..L.</summary>
    public int Depth { get; init; } = 4;

    /// <summary>Channel width per level, Depth + 1 entries.</summary>
    public IReadOnlyList<int> Widths { get; init; } = new[] { 32, 64, 128, 256, 512 };

    public NormKind Norm { get; init; } = NormKind.Batch;

    /// <summary>
    /// Down-sampling stride per level and spatial axis (slowest axis first): <c>Strides[i - 1][a]</c> ∈ {1, 2} takes
    /// level i − 1 to level i on axis a. Null: 2 on every axis of every level (the paper's isotropic pooling; plans and
    /// checkpoints written before strides existed read back as that). A stride of 1 keeps an axis whose voxels are
    /// already coarse (thick-slice CT) from being pooled away while the fine axes catch up, as nnU-Net plans it.
    /// Strides change sizes and FLOPs, never parameter counts.
    /// </summary>
    public IReadOnlyList<IReadOnlyList<int>>? Strides { get; init; }

    /// <summary>Heads on every top-row and side node (needed for pruning below depth L).</summary>
    public bool DeepSupervision { get; init; } = true;

    /// <summary>Classification-guided modules (CGM-deep on X^{L,0}, CGM-shallow on X^{1,0}).</summary>
    public bool Cgm { get; init; }

    /// <summary>Dropout rate before each CGM's 1x1 convolution.</summary>
    public double CgmDropout { get; init; } = 0.5;

    /// <summary>
    /// Training memory (not shape): when true and autograd is on, a node's resampled inputs (the max-pooled and,
    /// above all, the up-sampled full-scale paths) are recomputed in backward from their small sources instead of being
    /// kept, and its first convolution is split by input part over slices of the one <c>conv1.weight</c>, so only the
    /// same-level parts are concatenated (the wide full-scale concatenation is never stored). Outputs and gradients equal the plain path's up to float summation order
    /// (no extra convolution FLOPs; backward re-runs only the cheap resampling). False: concatenate, then convolve.
    /// Inference (no grad) always takes the plain path. See docs/BENCHMARKS.md for the measured trade-off.
    /// </summary>
    public bool MemoryEfficient { get; init; } = true;

    /// <summary>
    /// <see cref="MemoryEfficient"/> applies to inputs of at least this many voxels (batch × spatial size). Below it the
    /// activations are small and the custom autograd calls cost more than the memory they save (measured on 32x32 test
    /// networks: several times slower per step), so small inputs take the plain path. Default 65,536 = one 256x256 image.
    /// </summary>
    public long MemoryEfficientMinVoxels { get; init; } = 1 << 16;

    /// <summary>
    /// Speed (not shape or values): run the network on channels-last activations (NHWC / NDHWC), where CPU convolutions,
    /// pooling and (bi/tri)linear resizing are much faster than on NCHW / NCDHW (3D UNet# step at 48x64x48 batch 2:
    /// 1.5x). Instance norm runs as one-group-per-channel group norm there (<see cref="Layers.SpatialOps.Normalise"/>),
    /// which keeps the layout. 3D networks with batch norm stay NCDHW (<see cref="SegmentationNetwork.RunsChannelsLast"/>). Same values up to float summation order (against a float64 reference both layouts' float32
    /// gradients are within 6e-6 relative; see docs/BENCHMARKS.md); inputs and returned logits stay ordinary
    /// NCHW / NCDHW tensors. False: NCHW / NCDHW throughout.
    /// </summary>
    public bool ChannelsLast { get; init; } = true;

    /// <summary>Default widths for a depth: 32·2^i, as the paper (32, 64, 128, 256, 512 at depth 4).</summary>
    public static IReadOnlyList<int> DefaultWidths(int depth, int baseWidth = 32) =>
        depth is < 1 or > 8 ? throw new ConfigurationException($"depth must be between 1 and 8, got {depth}")
        : Enumerable.Range(0, depth + 1).Select(i => baseWidth << i).ToArray();

    /// <summary>The skip topology this configuration describes (validates first).</summary>
    public SkipTopology Topology()
    {
        Validate();
        return Architectures.Create(Architecture, Depth, Widths);
    }

    /// <summary>Rejects configurations that cannot build, with a message that says which setting and why.</summary>
    public void Validate()
    {
        // a configuration read from JSON may hold null where the record has none (a hand-edited plan.json)
        if (Widths is null) throw new ConfigurationException("widths are missing (null)");
        if (!Architectures.Names.Contains(Architectures.Normalise(Architecture)))
            throw new ConfigurationException($"unknown architecture '{Architecture}'; choose one of {string.Join(", ", Architectures.Names)}");
        if (Dimensions is not (2 or 3)) throw new ConfigurationException($"dimensions must be 2 or 3, got {Dimensions}");
        if (Depth is < 1 or > 8) throw new ConfigurationException($"depth must be between 1 and 8, got {Depth}");
        if (Widths.Count != Depth + 1)
            throw new ConfigurationException($"widths must have depth + 1 = {Depth + 1} entries (one per level), got {Widths.Count}: {string.Join(",", Widths)}");
        if (Widths.Any(w => w <= 0)) throw new ConfigurationException($"widths must be positive, got {string.Join(",", Widths)}");
        if (InChannels <= 0) throw new ConfigurationException($"in-channels must be positive, got {InChannels}");
        if (Classes <= 0) throw new ConfigurationException($"classes must be positive, got {Classes}");
        if (CgmDropout is < 0 or >= 1) throw new ConfigurationException($"CGM dropout must be in [0, 1), got {CgmDropout}");
        if (Strides is not null)
        {
            if (Strides.Count != Depth)
                throw new ConfigurationException($"strides must have depth = {Depth} entries (one per down-sampling), got {Strides.Count}: {FormatStrides(Strides)}");
            if (Strides.Any(s => s is null || s.Count != Dimensions || s.Any(v => v is not (1 or 2))))
                throw new ConfigurationException($"strides must give every level {Dimensions} values, each 1 or 2, got {FormatStrides(Strides)}");
        }
        if (MinimumParameters() is var least and > MaxParameters)
            throw new ConfigurationException($"widths {string.Join(",", Widths)} give at least {least:N0} parameters ({least * 4 / 1e9:F0} GB of float32 weights), " +
                $"more than the {MaxParameters:N0} this library builds; use smaller widths");
        if (InChannels > MaxChannels || Classes > MaxChannels)
            throw new ConfigurationException($"in-channels and classes must be at most {MaxChannels}, got {InChannels} and {Classes}");
    }

    /// <summary>Largest network built (parameters): 1e9 float32 weights are 4 GB before gradients and optimiser state, far
    /// above any UNet-family model, so anything larger is a typo that would otherwise fail deep inside the allocator.</summary>
    public const long MaxParameters = 1_000_000_000;

    /// <summary>Largest input-channel or class count accepted.</summary>
    public const int MaxChannels = 65_536;

    /// <summary>A lower bound on the parameter count, computed without building anything: every level has at least its
    /// encoder block of two k^D convolutions (w_{i-1}→w_i, w_i→w_i).</summary>
    public double MinimumParameters()
    {
        double kernel = Math.Pow(3, Dimensions), total = 0;
        for (int i = 0; i < Widths.Count; i++)
        {
            double input = i == 0 ? InChannels : Widths[i - 1];
            total += kernel * ((double)input * Widths[i] + (double)Widths[i] * Widths[i]);
        }
        return total;
    }

    /// <summary>Strides as written in messages and plans: "1x2x2, 2x2x2" (one entry per level).</summary>
    public static string FormatStrides(IEnumerable<IEnumerable<int>?> strides) =>
        string.Join(", ", strides.Select(s => s is null ? "null" : string.Join("x", s)));

    /// <summary>The stride per axis that reaches level <paramref name="level"/> (1..L) from the level above it.</summary>
    public int[] StrideOf(int level)
    {
        if (level < 1 || level > Depth) throw new ArgumentOutOfRangeException(nameof(level), $"levels with a stride are 1..{Depth}");
        return Strides is null ? Enumerable.Repeat(2, Dimensions).ToArray() : Strides[level - 1].ToArray();
    }

    /// <summary>How many input voxels one voxel of level <paramref name="level"/> spans per axis: the product of the strides of levels 1..level.</summary>
    public long[] LevelScale(int level)
    {
        var scale = Enumerable.Repeat(1L, Dimensions).ToArray();
        for (int i = 1; i <= level; i++)
        {
            var stride = StrideOf(i);
            for (int a = 0; a < Dimensions; a++) scale[a] *= stride[a];
        }
        return scale;
    }

    /// <summary>Per axis, the multiple every input size must be so that every level has an integer size: the product of that axis's strides (2^L by default).</summary>
    public long[] SizeMultiples => LevelScale(Depth);

    /// <summary>One multiple that fits every axis (the largest of <see cref="SizeMultiples"/>, all powers of two): 2^L by default.</summary>
    public int SizeMultiple => (int)SizeMultiples.Max();

    /// <summary>Checks a spatial input size, e.g. [512, 512]; the message says how to fix it.</summary>
    public void ValidateInputSize(IReadOnlyList<long> spatial)
    {
        if (spatial.Count != Dimensions)
            throw new ConfigurationException($"a {Dimensions}D network needs input [N, {InChannels}, {string.Join(", ", Enumerable.Repeat("size", Dimensions))}], got {spatial.Count} spatial axes");
        var multiples = SizeMultiples;
        if (spatial.Where((s, a) => s < multiples[a] || s % multiples[a] != 0).Any())
        {
            string padded = string.Join("x", spatial.Select((s, a) => Math.Max(multiples[a], (s + multiples[a] - 1) / multiples[a] * multiples[a])));
            string rule = Strides is null ? $"every axis must be a positive multiple of 2^{Depth} = {SizeMultiple}"
                : $"each axis must be a positive multiple of the product of its strides, {string.Join("x", multiples)} (strides {FormatStrides(Strides)})";
            throw new ConfigurationException(
                $"input size {string.Join("x", spatial)} does not fit depth {Depth}: {rule} " +
                $"(pad to {padded}, use a smaller depth, or predict with the sliding window, which pads automatically)");
        }
    }
}
