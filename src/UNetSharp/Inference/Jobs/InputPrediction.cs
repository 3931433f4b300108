namespace UNetSharp.Inference.Jobs;

/// <summary>
/// Predicts one <see cref="PredictionInput"/> with a sliding-window predictor: whole for a network of the image's
/// dimensionality, slice by slice along the slowest axis for a 2D network given a volume. Shared by
/// <see cref="PredictionJob"/> (files) and the segmentation service (uploads), so both give the same labels.
/// </summary>
public static class InputPrediction
{
    /// <summary>Class per voxel, optional probabilities [C, spatial...] and tiles run.</summary>
    public static (byte[] Labels, float[]? Probabilities, int Tiles) Run(SlidingWindowPredictor predictor, PredictionInput input, int classes, bool probabilities)
    {
        var c = input.Normalized;
        if (!input.SliceBySlice)
        {
            var p = predictor.Predict(c.Image, c.Channels, c.Shape);
            return (p.Labels, p.Probabilities, p.Tiles);
        }
        int depth = c.Shape[0], plane = c.Shape[1] * c.Shape[2];
        long voxels = (long)depth * plane;
        var labels = new byte[voxels];
        var maps = probabilities ? new float[checked(classes * voxels)] : null;
        var slice = new float[c.Channels * plane];
        int tiles = 0;
        for (int z = 0; z < depth; z++)
        {
            using var scope = TorchSharp.torch.NewDisposeScope();
            for (int ch = 0; ch < c.Channels; ch++) Array.Copy(c.Image, ch * voxels + (long)z * plane, slice, (long)ch * plane, plane);
            var p = predictor.Predict(slice, c.Channels, [c.Shape[1], c.Shape[2]]);
            p.Labels.CopyTo(labels, (long)z * plane);
            if (maps is not null)
                for (int k = 0; k < classes; k++) Array.Copy(p.Probabilities!, (long)k * plane, maps, k * voxels + (long)z * plane, plane);
            tiles += p.Tiles;
        }
        return (labels, maps, tiles);
    }
}
