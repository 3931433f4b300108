using TorchSharp;
using UNetSharp.Data;
using UNetSharp.Models;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace UNetSharp.Inference;

/// <summary>One model of a prediction: what computes the logits, and the depth it runs at.</summary>
public sealed record PredictorMember(IPatchPredictor Predictor, int Depth);

/// <summary>
/// Predicts images of any size with any <see cref="IPatchPredictor"/> (a TorchSharp network, an ONNX Runtime session)
/// or an ensemble of them, 2D or 3D: pads (see <see cref="TileGrid"/>), runs tiles in batches at each model's (possibly
/// pruned) depth with mirroring TTA, turns each tile's logits into probabilities (sigmoid, or softmax over classes)
/// and blends those with a Gaussian importance map into an image-size accumulator, gates them with the CGM presence,
/// averages the models' gated probabilities, crops back to the input size and takes the label map.
///
/// Probabilities, not logits, are averaged (over mirrors, over tiles and over models), as nnU-Net: TTA, blending and
/// ensembling are then plain averages of what the networks believe, and each model's CGM gate, defined on its own
/// probabilities, applies before models are averaged. Models of an ensemble may differ in architecture and depth but
/// must agree on dimensions, input channels and classes; the image is padded to a multiple of every model's size
/// multiple. Not thread-safe: one prediction at a time per predictor.
/// </summary>
public sealed class SlidingWindowPredictor
{
    /// <summary>Voxels per slab when the label map is extracted, so the argmax temporary stays small.</summary>
    const long SlabVoxels = 1 << 22;

    readonly IReadOnlyList<PredictorMember> members;
    readonly IReadOnlyList<long[]> mirrors;
    readonly int dims, classes, inChannels;
    readonly long[] sizeMultiples;

    /// <summary>A TorchSharp network (not owned), at <see cref="SlidingWindowOptions.Depth"/> or its full depth.</summary>
    public SlidingWindowPredictor(SegmentationNetwork network, SlidingWindowOptions? options = null)
        : this(new TorchPatchPredictor(network), options) { }

    /// <summary>One model (not owned), at <see cref="SlidingWindowOptions.Depth"/>, else its full depth when it can run it, else its only depth.</summary>
    public SlidingWindowPredictor(IPatchPredictor predictor, SlidingWindowOptions? options = null)
        : this([new PredictorMember(predictor, (options ?? new SlidingWindowOptions()).Depth ?? DefaultDepth(predictor))], options) { }

    /// <summary>An ensemble (models not owned): each member at its own depth; <see cref="SlidingWindowOptions.Depth"/> is not used.</summary>
    public SlidingWindowPredictor(IReadOnlyList<PredictorMember> ensemble, SlidingWindowOptions? options = null)
    {
        if (ensemble.Count == 0) throw new ConfigurationException("an ensemble needs at least one model");
        members = ensemble;
        Options = options ?? new SlidingWindowOptions();
        var first = ensemble[0].Predictor.Network;
        dims = first.Dimensions; classes = first.Classes; inChannels = first.InChannels;
        foreach (var (predictor, depth) in ensemble)
        {
            if (!predictor.Depths.Contains(depth))
                throw new ConfigurationException($"cannot predict at depth {depth}: available depths are {string.Join(", ", predictor.Depths)}");
            var c = predictor.Network;
            if (c.Dimensions != dims || c.Classes != classes || c.InChannels != inChannels)
                throw new ConfigurationException($"models of an ensemble must agree on dimensions, input channels and classes: " +
                    $"{dims}D/{inChannels}/{classes} and {c.Dimensions}D/{c.InChannels}/{c.Classes}");
        }
        if (Options.BatchSize < 1) throw new ConfigurationException($"batch size must be at least 1, got {Options.BatchSize}");
        if (classes > 256) throw new ConfigurationException($"label maps are bytes: at most 256 classes, got {classes}");
        sizeMultiples = ensemble.Select(m => m.Predictor.Network.SizeMultiples).Aggregate((a, b) => a.Select((x, k) => Lcm(x, b[k])).ToArray());
        mirrors = MirrorAxes.Combinations(Options.MirrorAxes ?? Enumerable.Range(0, dims).ToArray(), dims);
    }

    static int DefaultDepth(IPatchPredictor predictor) =>
        predictor.Depths.Contains(predictor.Network.Depth) ? predictor.Network.Depth : predictor.Depths.Max();

    static long Lcm(long a, long b)
    {
        long x = a, y = b;
        while (y != 0) (x, y) = (y, x % y);
        return a / x * b;
    }

    public SlidingWindowOptions Options { get; }

    /// <summary>The depth the (first) model runs at.</summary>
    public int Depth => members[0].Depth;

    /// <summary>The models and their depths.</summary>
    public IReadOnlyList<PredictorMember> Members => members;

    /// <summary>Output channels of the network(s) (1 = binary).</summary>
    public int Classes => classes;

    /// <summary>The same prediction with one model of the ensemble, <paramref name="options"/> or these options.</summary>
    public SlidingWindowPredictor ForMember(int index, SlidingWindowOptions? options = null) => new([members[index]], options ?? Options);

    /// <summary>Forward passes per tile and model (mirror combinations).</summary>
    public int PassesPerTile => mirrors.Count;

    /// <summary>Per-axis size every padded image is a multiple of (the least common multiple over the models).</summary>
    public IReadOnlyList<long> SizeMultiples => sizeMultiples;

    /// <summary>The tiling an image of this spatial shape gets.</summary>
    public TileGrid PlanFor(IReadOnlyList<int> shape) => TileGrid.Plan(shape, sizeMultiples.Select(m => (int)m).ToArray(), Options.TileSize,
        dims == 2 ? Options.MaxTile2D : Options.MaxTile3D, Options.Overlap);

    public SegmentationPrediction Predict(SegmentationCase image) => Predict(image.Image, image.Channels, image.Shape);

    /// <summary>Predicts one image, <paramref name="image"/> C-order [channels, (D,) H, W].</summary>
    public SegmentationPrediction Predict(float[] image, int channels, IReadOnlyList<int> shape)
    {
        if (shape.Count != dims) throw new ConfigurationException($"a {dims}D network cannot predict a {shape.Count}D image");
        if (channels != inChannels) throw new ConfigurationException($"the network expects {inChannels} channel(s), the image has {channels}");
        long voxels = shape.Aggregate(1L, (a, s) => a * s);
        if (shape.Any(s => s <= 0) || image.LongLength != voxels * channels)
            throw new ArgumentException($"image has {image.LongLength} values, expected {channels} x {string.Join("x", shape)}");

        using var scope = NewDisposeScope();
        var grid = PlanFor(shape);
        var input = tensor(image, new[] { 1L, channels }.Concat(shape.Select(s => (long)s)).ToArray());
        var padded = Pad(input, grid);
        if (!ReferenceEquals(padded, input)) input.Dispose();   // one copy of the image while the tiles run
        var (blended, presence, owner) = Blend(padded, grid);
        using (owner)
        {
            padded.Dispose();
            var probabilities = Crop(blended, grid);
            return new SegmentationPrediction(shape.ToArray(), classes, Depth, grid.TileCount, Labels(probabilities, voxels),
                Options.ReturnProbabilities ? ToArray(probabilities, voxels) : null, presence);
        }
    }

    /// <summary>Blended, gated (and model-averaged) probabilities [C, (D,) H, W] of one image tensor [channels, (D,) H, W] (float32).</summary>
    public Tensor PredictProbabilities(Tensor image)
    {
        if (image.dim() != dims + 1)
            throw new ConfigurationException($"expected one image [channels, {string.Join(", ", Enumerable.Repeat("size", dims))}], got shape [{string.Join(", ", image.shape)}]");
        using var scope = NewDisposeScope();
        var grid = PlanFor(image.shape.Skip(1).Select(s => (int)s).ToArray());
        var (blended, _, owner) = Blend(Pad(image.unsqueeze(0), grid), grid);
        using (owner) return Crop(blended, grid).clone().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Every model's blended, gated probabilities over the padded image, averaged; the image-level presence (mean over
    /// the models that have CGMs). One model: its accumulator itself, no copy; several: one running sum beside it.
    /// </summary>
    (Tensor Probabilities, float[]? Presence, IDisposable Owner) Blend(Tensor padded, TileGrid grid)
    {
        if (members.Count == 1)
        {
            var accumulator = new ProbabilityAccumulator(classes, grid.PaddedShape);
            try
            {
                var presence = Accumulate(members[0], padded, grid, accumulator);
                return (accumulator.Blend(), presence, accumulator);
            }
            catch
            {
                accumulator.Dispose();
                throw;
            }
        }
        var sum = zeros(new[] { (long)classes }.Concat(grid.PaddedShape.Select(s => (long)s)).ToArray(), ScalarType.Float32);
        var presences = new List<float[]>();
        foreach (var member in members)
        {
            using var accumulator = new ProbabilityAccumulator(classes, grid.PaddedShape);
            if (Accumulate(member, padded, grid, accumulator) is { } presence) presences.Add(presence);
            sum.add_(accumulator.Blend());
        }
        sum.div_(members.Count);
        float[]? mean = presences.Count == 0 ? null
            : Enumerable.Range(0, classes).Select(c => presences.Average(p => p[c])).Select(v => (float)v).ToArray();
        return (sum, mean, sum);
    }

    /// <summary>Runs every tile of one model into <paramref name="accumulator"/>, blends and gates, and returns the image-level presence.</summary>
    float[]? Accumulate(PredictorMember member, Tensor padded, TileGrid grid, ProbabilityAccumulator accumulator)
    {
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
            var (probabilities, tilePresence) = Evaluate(member, batch);
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
    internal (Tensor Probabilities, Tensor? Presence) Evaluate(Tensor batch) =>
        members.Count == 1 ? Evaluate(members[0], batch)
        : throw new InvalidOperationException("an ensemble is evaluated one model at a time (each gates its own probabilities); use ForMember");

    (Tensor Probabilities, Tensor? Presence) Evaluate(PredictorMember member, Tensor batch)
    {
        Tensor? sum = null, presence = null;
        foreach (var axes in mirrors)
        {
            // One scope per pass: the network's intermediate features are freed before the next mirror runs.
            using var passScope = NewDisposeScope();
            var output = member.Predictor.Run(axes.Length == 0 ? batch : batch.flip(axes), member.Depth);
            var p = classes == 1 ? output.Logits.sigmoid() : output.Logits.softmax(1);
            if (axes.Length > 0) p = p.flip(axes);
            if (sum is null) sum = p.MoveToOuterDisposeScope(); else sum.add_(p);
            if (output.PresenceLogits is { } logits)
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
