namespace UNetSharp.Prediction;

/// <summary>
/// One input predicted by <see cref="PredictionService"/>, on the input's own grid: the class map after
/// post-processing, and for an instance run the decoded instance map.
/// </summary>
/// <param name="Labels">Class index per voxel, post-processed (semantic runs; an instance run's is left raw: its
/// decoding fills holes itself).</param>
/// <param name="Probabilities">[C, spatial...] when asked for, or needed for instances; else null.</param>
/// <param name="Instances">Instance id per voxel (0 = background) for an instance run; else null.</param>
public sealed record CasePrediction(byte[] Labels, float[]? Probabilities, int Tiles, int Depth, bool Tta, int[]? Instances, int InstanceCount)
{
    public long ForegroundVoxels => Labels.LongLength - Labels.AsSpan().Count((byte)0);
}
