namespace UNetSharp.Data.Sampling;

/// <summary>
/// A data set of cases addressed by index. <see cref="Load"/> may be called from several loader threads at once,
/// so implementations must be thread-safe.
/// </summary>
public interface ICaseSource
{
    int Count { get; }
    SegmentationCase Load(int index);
}
