namespace UNetSharp.Data.Sampling;

/// <summary>Cases already in memory (synthetic data, tests, small 2D sets).</summary>
public sealed class InMemoryCaseSource(IReadOnlyList<SegmentationCase> cases) : ICaseSource
{
    public int Count => cases.Count;
    public SegmentationCase Load(int index) => cases[index];
}
