using UNetSharp.Data;
using UNetSharp.Data.Layouts;
using UNetSharp.Data.Sampling;

namespace UNetSharp.Evaluation;

/// <summary>A data set on disk as a loader's case source. Loading only reads files, so concurrent calls are safe.</summary>
public sealed class DatasetCaseSource(SegmentationDataset dataset) : ICaseSource
{
    public SegmentationDataset Dataset { get; } = dataset;
    public int Count => Dataset.Count;
    public SegmentationCase Load(int index) => Dataset.Load(index);
}
