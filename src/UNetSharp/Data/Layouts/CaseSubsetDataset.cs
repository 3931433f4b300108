namespace UNetSharp.Data.Layouts;

/// <summary>
/// A data set without some of its cases: a test set kept out of a run (nnU-Net's imagesTs, here named by case id), so the
/// run never checks, plans, splits, trains or validates on them. The files stay where they are; only the case list shrinks.
/// </summary>
public sealed class CaseSubsetDataset : SegmentationDataset
{
    readonly SegmentationDataset inner;
    readonly int[] innerIndex;

    CaseSubsetDataset(SegmentationDataset inner, int[] innerIndex) : base(inner.Root, innerIndex.Select(i => inner.CaseIds[i]).ToList())
    {
        this.inner = inner;
        this.innerIndex = innerIndex;
    }

    /// <summary>The cases excluded from <see cref="Excluding"/>'s data set.</summary>
    public IReadOnlyList<string> Excluded { get; private init; } = [];

    /// <summary>
    /// <paramref name="data"/> without the cases <paramref name="excluded"/> names (itself when none is named). A name that is
    /// not a case of the data set, a name given twice, or leaving fewer than two cases is refused naming the setting.
    /// </summary>
    public static SegmentationDataset Excluding(SegmentationDataset data, IReadOnlyList<string>? excluded, string setting = "exclude_cases")
    {
        if (excluded is null || excluded.Count == 0) return data;
        var known = data.CaseIds.ToHashSet(StringComparer.Ordinal);
        foreach (string id in excluded)
            if (!known.Contains(id)) throw new ConfigurationException($"{setting}: case '{id}' is not in the data set {data.Root}");
        if (excluded.GroupBy(id => id, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice)
            throw new ConfigurationException($"{setting}: case '{twice.Key}' is named twice");
        var drop = excluded.ToHashSet(StringComparer.Ordinal);
        var keep = Enumerable.Range(0, data.Count).Where(i => !drop.Contains(data.CaseIds[i])).ToArray();
        if (keep.Length < 2)
            throw new ConfigurationException($"{setting}: excluding {excluded.Count} of the {data.Count} cases of {data.Root} leaves {keep.Length}; a run needs at least 2");
        return new CaseSubsetDataset(data, keep) { Excluded = excluded.Order(StringComparer.Ordinal).ToList() };
    }

    public override DatasetLayoutKind Kind => inner.Kind;

    public override SegmentationCase Load(int index)
    {
        CheckIndex(index);
        return inner.Load(innerIndex[index]);
    }

    public override SegmentationCase LoadInstanceCase(int index)
    {
        CheckIndex(index);
        return inner.LoadInstanceCase(innerIndex[index]);
    }

    public override (string? Image, string? Label) CaseFilePaths(int index)
    {
        CheckIndex(index);
        return inner.CaseFilePaths(innerIndex[index]);
    }

    protected override (IReadOnlyDictionary<int, string>? Classes, IReadOnlyList<string> Modalities, int? Channels) Declared()
    {
        var meta = inner.Metadata;
        return (meta.ClassesDeclared ? meta.Classes : null, meta.Modalities, meta.Channels);
    }
}
