namespace UNetSharp.Data.Layouts;

/// <summary>
/// A labelled data set on disk: the case list is read when opened, images only when a case is loaded. Loading checks
/// that the image and label agree (shape, spacing) and throws <see cref="DataFormatException"/> naming the file at fault.
/// </summary>
public abstract class SegmentationDataset
{
    readonly Lazy<DatasetMetadata> metadata;

    protected SegmentationDataset(string root, IReadOnlyList<string> caseIds)
    {
        Root = root;
        CaseIds = caseIds;
        metadata = new Lazy<DatasetMetadata>(DescribeFromFirstCase);
    }

    public string Root { get; }
    public abstract DatasetLayoutKind Kind { get; }
    public IReadOnlyList<string> CaseIds { get; }
    public int Count => CaseIds.Count;

    /// <summary>Declared metadata (dataset.json) where present; otherwise dimensions and channels of the first case.</summary>
    public DatasetMetadata Metadata => metadata.Value;

    public abstract SegmentationCase Load(int index);

    /// <summary>The case with its instance label map as the label (object ids as in the files). Layouts whose label files
    /// already are instance maps read it as <see cref="Load(int)"/> does; DSB 2018 builds it from its mask files.</summary>
    public virtual SegmentationCase LoadInstanceCase(int index) => Load(index);

    /// <summary>The files a case's image and label come from (the first channel file; DSB: the masks folder), for
    /// messages that must name the file at fault; null where the case has none.</summary>
    public virtual (string? Image, string? Label) CaseFilePaths(int index)
    {
        CheckIndex(index);
        return (null, null);
    }

    public SegmentationCase Load(string id)
    {
        int index = CaseIds.ToList().IndexOf(id);
        if (index < 0) throw new ArgumentException($"no case '{id}' in {Root}");
        return Load(index);
    }

    /// <summary>Classes and modalities known without loading (dataset.json or the layout's convention); null if unknown.</summary>
    protected abstract (IReadOnlyDictionary<int, string>? Classes, IReadOnlyList<string> Modalities, int? Channels) Declared();

    DatasetMetadata DescribeFromFirstCase()
    {
        var (classes, modalities, channels) = Declared();
        int dims = 0, firstChannels = 0;
        if (Count > 0)
        {
            var first = Load(0);
            dims = first.Dimensions;
            firstChannels = first.Channels;
        }
        return new DatasetMetadata(dims, channels ?? firstChannels, classes ?? new Dictionary<int, string>(), modalities, classes != null);
    }

    protected void CheckIndex(int index)
    {
        if (index < 0 || index >= Count) throw new ArgumentOutOfRangeException(nameof(index), $"case {index} of {Count}");
    }
}
