using UNetSharp.Data.Preprocessing;
using UNetSharp.Inference;

namespace UNetSharp.Prediction;

/// <summary>
/// Predicts one <see cref="PredictionInput"/> with a sliding-window predictor: whole for a network of the image's
/// dimensionality, slice by slice (batched, <see cref="SliceStackPredictor"/>) for a 2D network given a volume. Shared by
/// <see cref="PredictionJob"/> (files) and the segmentation service (uploads), so both give the same labels.
/// </summary>
public static class InputPrediction
{
    /// <summary>
    /// Class per voxel, optional probabilities [C, spatial...] and tiles run, on the input's own grid. A volume the plan
    /// resamples is predicted at the target spacing (<see cref="PredictionInput.Planned"/>), then brought back to the
    /// input's exact shape: labels by nearest neighbour (no class invented), probabilities linearly.
    /// </summary>
    public static (byte[] Labels, float[]? Probabilities, int Tiles) Run(SlidingWindowPredictor predictor, PredictionInput input, int classes, bool probabilities)
    {
        var c = input.Planned;
        if (!input.SliceBySlice)
        {
            var p = predictor.Predict(c.Image, c.Channels, c.Shape);
            if (!input.Resampled) return (p.Labels, p.Probabilities, p.Tiles);
            return (Resampler.NearestLabels(p.Labels, c.Shape, input.Shape),
                p.Probabilities is null ? null : Resampler.Linear(p.Probabilities, classes, c.Shape, input.Shape), p.Tiles);
        }
        // slices batched through the 2D network, then back: in-plane to the input's slice size, the slice axis to its place
        var stack = predictor.Members.Count == 1 ? new SliceStackPredictor(predictor).Predict(c.Image, c.Channels, c.Shape)
            : EnsembleStack(predictor, c.Image, c.Channels, c.Shape, classes);
        var moved = VolumeSlices.MovedShape(input.Shape, input.SliceAxis);
        var labels = Resampler.NearestLabels(stack.Labels, c.Shape, moved);
        var maps = stack.Probabilities is null ? null : Resampler.Linear(stack.Probabilities, classes, c.Shape, moved);
        return (VolumeSlices.MoveAxisBack(labels, 1, input.Shape, input.SliceAxis),
            maps is null ? null : VolumeSlices.MoveAxisBack(maps, classes, input.Shape, input.SliceAxis), stack.Tiles);
    }

    /// <summary>An ensemble of 2D networks over a slice stack: each model's stack (gated per slice as it would be alone),
    /// probabilities averaged, then the label map as <see cref="SlidingWindowPredictor"/> takes it (p ≥ 0.5, else argmax).</summary>
    static SegmentationPrediction EnsembleStack(SlidingWindowPredictor predictor, float[] image, int channels, int[] shape, int classes)
    {
        long voxels = shape.Aggregate(1L, (a, b) => a * b);
        var sum = new float[checked(classes * voxels)];
        int tiles = 0;
        for (int m = 0; m < predictor.Members.Count; m++)
        {
            var member = predictor.ForMember(m, predictor.Options with { ReturnProbabilities = true });
            var p = new SliceStackPredictor(member).Predict(image, channels, shape);
            for (long k = 0; k < sum.LongLength; k++) sum[k] += p.Probabilities![k];
            tiles += p.Tiles;
        }
        for (long k = 0; k < sum.LongLength; k++) sum[k] /= predictor.Members.Count;
        var labels = new byte[voxels];
        for (long v = 0; v < voxels; v++)
        {
            if (classes == 1) { labels[v] = (byte)(sum[v] >= 0.5f ? 1 : 0); continue; }
            int best = 0;
            for (int k = 1; k < classes; k++) if (sum[k * voxels + v] > sum[best * voxels + v]) best = k;
            labels[v] = (byte)best;
        }
        return new SegmentationPrediction(shape, classes, predictor.Depth, tiles, labels, predictor.Options.ReturnProbabilities ? sum : null, null);
    }
}
