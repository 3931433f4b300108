using TorchSharp;
using UNetSharp.Data;
using UNetSharp.Models;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace UNetSharp.Inference;

/// <summary>
/// Predicts images of any size with a <see cref="SegmentationNetwork"/>, 2D or 3D: pads (see <see cref="TileGrid"/>),
/// runs tiles in batches at the configured (possibly pruned) depth with mirroring TTA, turns each tile's logits into
/// probabilities (sigmoid, or softmax over classes) and blends those with a Gaussian importance map into an image-size
/// accumulator, gates them with the CGM presence, crops back to the input size and takes the label map.
///
/// Probabilities, not logits, are averaged (over mirrors and over tiles), as nnU-Net v1: TTA and blending are then
/// plain averages of what the network believes, and the CGM gate, defined on probabilities, applies to the result.
/// The network is switched to eval mode (batch-norm statistics, no dropout). Not thread-safe: one prediction at a
/// time per network.
/// </summary>
public sealed class SlidingWindowPredictor
{
    /// <summary>Voxels per slab when the label map is extracted, so the argmax temporary stays small.</summary>
    const long SlabVoxels = 1 << 22;

    readonly SegmentationNetwork net;
    readonly IReadOnlyList<long[]> mirrors;

    public SlidingWindowPredictor(SegmentationNetwork network, SlidingWindowOptions? options = null)
    {
        net = network;
        Options = options ?? new SlidingWindowOptions();
        Depth = Options.Depth ?? net.Config.Depth;
        if (!net.PrunableDepths.Contains(Depth))
            throw new ConfigurationException($"cannot predict at depth {Depth}: available depths are {string.Join(", ", net.PrunableDepths)}");
        if (Options.BatchSize < 1) throw new ConfigurationException($"batch size must be at least 1, got {Options.BatchSize}");
        if (net.Config.Classes > 256) throw new ConfigurationException($"label maps are bytes: at most 256 classes, got {net.Config.Classes}");
        int dims = net.Config.Dimensions;
        mirrors = MirrorAxes.Combinations(Options.MirrorAxes ?? Enumerable.Range(0, dims).ToArray(), dims);
        net.eval();
    }

    public SlidingWindowOptions Options { get; }

    /// <summary>The depth every forward pass runs at.</summary>
    public int Depth { get; }

    /// <summary>Output channels of the network (1 = binary).</summary>
    public int Classes => net.Config.Classes;

    /// <summary>Forward passes per tile (mirror combinations).</summary>
    public int PassesPerTile => mirrors.Count;

    /// <summary>The tiling an image of this spatial shape gets.</summary>
    public TileGrid PlanFor(IReadOnlyList<int> shape) => TileGrid.Plan(shape, net.Config.SizeMultiples.Select(m => (int)m).ToArray(), Options.TileSize,
        net.Config.Dimensions == 2 ? Options.MaxTile2D : Options.MaxTile3D, Options.Overlap);

    public SegmentationPrediction Predict(SegmentationCase image) => Predict(image.Image, image.Channels, image.Shape);

    /// <summary>Predicts one image, <paramref name="image"/> C-order [channels, (D,) H, W].</summary>
    public SegmentationPrediction Predict(float[] image, int channels, IReadOnlyList<int> shape)
    {
        if (shape.Count != net.Config.Dimensions) throw new ConfigurationException($"a {net.Config.Dimensions}D network cannot predict a {shape.Count}D image");
        if (channels != net.Config.InChannels) throw new ConfigurationException($"the network expects {net.Config.InChannels} channel(s), the image has {channels}");
        long voxels = shape.Aggregate(1L, (a, s) => a * s);
        if (shape.Any(s => s <= 0) || image.LongLength != voxels * channels)
            throw new ArgumentException($"image has {image.LongLength} values, expected {channels} x {string.Join("x", shape)}");

        using var scope = NewDisposeScope();
        var grid = PlanFor(shape);
        var input = tensor(image, new[] { 1L, channels }.Concat(shape.Select(s => (long)s)).ToArray());
        var padded = Pad(input, grid);
        if (!ReferenceEquals(padded, input)) input.Dispose();   // one copy of the image while the tiles run
        using var accumulator = new ProbabilityAccumulator(net.Config.Classes, grid.PaddedShape);
        var presence = Accumulate(padded, grid, accumulator);
        padded.Dispose();
        var probabilities = Crop(accumulator.Blend(), grid);
        return new SegmentationPrediction(shape.ToArray(), net.Config.Classes, Depth, grid.TileCount, Labels(probabilities, voxels),
            Options.ReturnProbabilities ? ToArray(probabilities, voxels) : null, presence);
    }

    /// <summary>Blended, gated probabilities [C, (D,) H, W] of one image tensor [channels, (D,) H, W] (float32).</summary>
    public Tensor PredictProbabilities(Tensor image)
    {
        if (image.dim() != net.Config.Dimensions + 1)
            throw new ConfigurationException($"expected one image [channels, {string.Join(", ", Enumerable.Repeat("size", net.Config.Dimensions))}], got shape [{string.Join(", ", image.shape)}]");
        using var scope = NewDisposeScope();
        var grid = PlanFor(image.shape.Skip(1).Select(s => (int)s).ToArray());
        using var accumulator = new ProbabilityAccumulator(net.Config.Classes, grid.PaddedShape);
        Accumulate(Pad(image.unsqueeze(0), grid), grid, accumulator);
        return Crop(accumulator.Blend(), grid).clone().MoveToOuterDisposeScope();
    }

    /// <summary>Runs every tile into <paramref name="accumulator"/>, blends and gates, and returns the image-level presence.</summary>
    float[]? Accumulate(Tensor padded, TileGrid grid, ProbabilityAccumulator accumulator)
    {
        net.eval();   // again: the caller may have switched the network back to training since construction
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var importance = GaussianImportance.Create(grid.TileSize);
        float[]? presence = null;
        var tiles = grid.Tiles().ToList();
        for (int first = 0; first < tiles.Count; first += Options.BatchSize)
        {
            using var tileScope = NewDisposeScope();
            var group = tiles.Skip(first).Take(Options.BatchSize).ToList();
            var batch = cat(group.Select(start => Tile(padded, start, grid.TileSize)).ToList(), 0);
            var (probabilities, tilePresence) = Evaluate(batch);
            if (tilePresence is not null)
            {
                if (Options.Presence == PresenceAggregation.PerTile)
                    probabilities = CgmGate.ApplyPresence(probabilities, tilePresence, Options.Gating, Options.GateThreshold);
                var batchMax = tilePresence.amax(0).data<float>().ToArray();
                presence = presence is null ? batchMax : presence.Zip(batchMax, Math.Max).ToArray();
            }
            for (int b = 0; b < group.Count; b++) accumulator.Add(probabilities[b], importance, group[b]);
        }
        var blended = accumulator.Blend();
        if (presence is not null && Options.Presence == PresenceAggregation.ImageMax)
        {
            using var gate = tensor(presence).unsqueeze(0);
            using var batched = blended.unsqueeze(0);
            CgmGate.ApplyPresenceInPlace(batched, gate, Options.Gating, Options.GateThreshold);
        }
        return presence;
    }

    /// <summary>Mirror-averaged probabilities [B, C, tile...] and CGM presence probabilities [B, C] (null without CGMs).</summary>
    internal (Tensor Probabilities, Tensor? Presence) Evaluate(Tensor batch)
    {
        Tensor? sum = null, presence = null;
        foreach (var axes in mirrors)
        {
            // One scope per pass: the network's intermediate features are freed before the next mirror runs.
            using var passScope = NewDisposeScope();
            var output = net.Forward(axes.Length == 0 ? batch : batch.flip(axes), Depth);
            var p = net.Config.Classes == 1 ? output.Logits.sigmoid() : output.Logits.softmax(1);
            if (axes.Length > 0) p = p.flip(axes);
            if (sum is null) sum = p.MoveToOuterDisposeScope(); else sum.add_(p);
            if (output.GatingPresenceLogits is { } logits)
            {
                var q = logits.sigmoid();
                if (presence is null) presence = q.MoveToOuterDisposeScope(); else presence.add_(q);
            }
        }
        return (sum!.div_(mirrors.Count), presence?.div_(mirrors.Count));
    }

    /// <summary>Pads [N, C, image...] to the grid's padded shape (the input itself when no pad is needed).</summary>
    internal Tensor Pad(Tensor batch, TileGrid grid)
    {
        int dims = grid.ImageShape.Length;
        var pads = new long[2 * dims];
        bool reflectable = true;
        for (int a = 0; a < dims; a++)
        {
            long before = grid.PadBefore[a], after = grid.PaddedShape[a] - grid.ImageShape[a] - before;
            pads[2 * (dims - 1 - a)] = before;   // F.pad lists the last axis first
            pads[2 * (dims - 1 - a) + 1] = after;
            reflectable &= Math.Max(before, after) < grid.ImageShape[a];
        }
        if (pads.All(p => p == 0)) return batch;
        return Options.Padding == TilePadding.Constant
            ? F.pad(batch, pads, PaddingModes.Constant, Options.PaddingValue)
            : F.pad(batch, pads, reflectable ? PaddingModes.Reflect : PaddingModes.Replicate);
    }

    static Tensor Tile(Tensor padded, int[] start, int[] size)
    {
        var t = padded;
        for (int a = 0; a < start.Length; a++) t = t.narrow(a + 2, start[a], size[a]);
        return t;
    }

    static Tensor Crop(Tensor blended, TileGrid grid)
    {
        var t = blended;
        for (int a = 0; a < grid.ImageShape.Length; a++) t = t.narrow(a + 1, grid.PadBefore[a], grid.ImageShape[a]);
        return t;
    }

    /// <summary>Label map from probabilities [C, ...] in slabs along the slowest axis (no full-size int64 argmax).</summary>
    static byte[] Labels(Tensor probabilities, long voxels)
    {
        var labels = new byte[voxels];
        long rows = probabilities.shape[1], perRow = voxels / rows;
        long slab = Math.Max(1, SlabVoxels / perRow);
        for (long r = 0; r < rows; r += slab)
        {
            using var scope = NewDisposeScope();
            var part = probabilities.narrow(1, r, Math.Min(slab, rows - r));
            var label = part.shape[0] == 1 ? part[0].ge(0.5) : part.argmax(0);
            label.to_type(ScalarType.Byte).contiguous().data<byte>().CopyTo(labels, (int)(r * perRow));
        }
        return labels;
    }

    static float[] ToArray(Tensor probabilities, long voxels)
    {
        if (probabilities.shape[0] * voxels > Array.MaxLength)
            throw new ConfigurationException($"{probabilities.shape[0]} classes x {voxels} voxels of probabilities do not fit one array; predict labels only");
        var values = new float[probabilities.shape[0] * voxels];
        for (long c = 0; c < probabilities.shape[0]; c++)
        {
            using var channel = probabilities[c].contiguous();
            channel.data<float>().CopyTo(values.AsSpan().Slice((int)(c * voxels), (int)voxels));
        }
        return values;
    }
}
