using static TorchSharp.torch;

namespace UNetSharp.Inference;

/// <summary>
/// A 2D network's prediction of a volume, slice by slice along its slowest axis, batched: the tiles of several slices run
/// through the network together (at least <see cref="PixelsPerPass"/> pixels per forward pass, or the slice predictor's
/// batch size when larger), yet every slice is tiled, mirrored, blended, CGM-gated (presence per slice) and thresholded
/// exactly as <see cref="SlidingWindowPredictor.Predict(float[], int, IReadOnlyList{int})"/> does one image, so the result
/// is the stack of the per-slice predictions. Memory: the volume once as a tensor, plus the maps of one group of slices.
/// </summary>
public sealed class SliceStackPredictor(SlidingWindowPredictor slicePredictor)
{
    /// <summary>Pixels per forward pass the slices are batched up to: one 512 × 512 image's worth (four 256² tiles).</summary>
    public const long PixelsPerPass = 512L * 512;

    public SlidingWindowPredictor Slices { get; } = slicePredictor;

    /// <summary>Tiles per forward pass for tiles of <paramref name="tile"/> pixels.</summary>
    public int TilesPerPass(IReadOnlyList<int> tile) =>
        (int)Math.Max(Slices.Options.BatchSize, PixelsPerPass / Math.Max(1L, (long)tile[0] * tile[1]));

    /// <summary>Predicts a volume C-order [channels, S, H, W] as S slices [H, W]; the result has the volume's shape.</summary>
    public SegmentationPrediction Predict(float[] volume, int channels, IReadOnlyList<int> shape)
    {
        if (shape.Count != 3) throw new ConfigurationException($"a slice stack is a volume [slices, height, width], got shape [{string.Join(", ", shape)}]");
        long plane = (long)shape[1] * shape[2], voxels = shape[0] * plane;
        if (shape.Any(s => s <= 0) || volume.LongLength != voxels * channels)
            throw new ArgumentException($"volume has {volume.LongLength} values, expected {channels} x {string.Join("x", shape)}");
        var grid = Slices.PlanFor([shape[1], shape[2]]);
        int perPass = TilesPerPass(grid.TileSize), perSlice = grid.TileCount;
        // slices per group: the fewest whose tiles fill whole forward passes (the last group may be shorter)
        int group = perPass / (int)System.Numerics.BigInteger.GreatestCommonDivisor(perPass, perSlice);
        var labels = new byte[voxels];
        float[]? maps = null;
        int classes = 0;
        using var all = tensor(volume, [channels, shape[0], shape[1], shape[2]]);
        for (int first = 0; first < shape[0]; first += group)
        {
            using var scope = NewDisposeScope();
            int count = Math.Min(group, shape[0] - first);
            var probabilities = PredictGroup(all.narrow(1, first, count).transpose(0, 1).contiguous(), grid, perPass);   // [K, count, H, W]
            classes = (int)probabilities.shape[0];
            for (int j = 0; j < count; j++)
            {
                using var slice = probabilities.select(1, j);
                using var label = classes == 1 ? slice[0].ge(0.5) : slice.argmax(0);
                using var bytes = label.to_type(ScalarType.Byte).contiguous();
                bytes.data<byte>().CopyTo(labels.AsSpan(checked((int)((first + j) * plane)), checked((int)plane)));
            }
            if (Slices.Options.ReturnProbabilities)
            {
                maps ??= new float[checked(classes * voxels)];
                for (int k = 0; k < classes; k++)
                {
                    using var block = probabilities[k].contiguous();
                    block.data<float>().CopyTo(maps.AsSpan(checked((int)(k * voxels + first * plane)), checked((int)(count * plane))));
                }
            }
        }
        return new SegmentationPrediction(shape.ToArray(), classes, Slices.Depth, grid.TileCount * shape[0], labels, maps, null);
    }

    /// <summary>Blended, gated probabilities [K, n, H, W] of slices [n, C, H, W], all their tiles batched <paramref name="perPass"/> at a time.</summary>
    Tensor PredictGroup(Tensor slices, TileGrid grid, int perPass)
    {
        var options = Slices.Options;
        int count = (int)slices.shape[0];
        var padded = Slices.Pad(slices, grid);
        var importance = GaussianImportance.Create(grid.TileSize).unsqueeze(0);   // [1, th, tw]: one slice deep
        var tiles = Enumerable.Range(0, count).SelectMany(j => grid.Tiles().Select(start => (Slice: j, Start: start))).ToList();
        using var accumulator = new ProbabilityAccumulator(Slices.Classes, [count, .. grid.PaddedShape]);
        float[][]? presence = null;
        for (int first = 0; first < tiles.Count; first += perPass)
        {
            using var passScope = NewDisposeScope();
            var pass = tiles.Skip(first).Take(perPass).ToList();
            var batch = cat(pass.Select(t => padded.narrow(0, t.Slice, 1).narrow(2, t.Start[0], grid.TileSize[0]).narrow(3, t.Start[1], grid.TileSize[1])).ToList(), 0);
            var (probabilities, tilePresence) = Slices.Evaluate(batch);
            if (tilePresence is not null)
            {
                if (options.Presence == PresenceAggregation.PerTile)
                    probabilities = CgmGate.ApplyPresence(probabilities, tilePresence, options.Gating, options.GateThreshold);
                presence ??= new float[count][];
                var values = tilePresence.contiguous().data<float>().ToArray();
                int k = (int)tilePresence.shape[1];
                for (int b = 0; b < pass.Count; b++)
                {
                    var row = values.AsSpan(b * k, k).ToArray();
                    ref var slicePresence = ref presence[pass[b].Slice];
                    slicePresence = slicePresence is null ? row : slicePresence.Zip(row, Math.Max).ToArray();
                }
            }
            for (int b = 0; b < pass.Count; b++)
                accumulator.Add(probabilities[b].unsqueeze(1), importance, [pass[b].Slice, .. pass[b].Start]);
        }
        var blended = accumulator.Blend();   // [K, n, padded H, padded W]
        if (presence is not null && options.Presence == PresenceAggregation.ImageMax)
        {
            using var gate = tensor(presence.SelectMany(p => p).ToArray(), [count, presence[0].Length]);
            using var perSlice = blended.transpose(0, 1);   // a view: gating it gates the accumulator's sums
            CgmGate.ApplyPresenceInPlace(perSlice, gate, options.Gating, options.GateThreshold);
        }
        return blended.narrow(2, grid.PadBefore[0], grid.ImageShape[0]).narrow(3, grid.PadBefore[1], grid.ImageShape[1]).clone();
    }
}
