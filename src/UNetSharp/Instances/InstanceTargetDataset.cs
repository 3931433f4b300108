using UNetSharp.Data;
using UNetSharp.Data.Layouts;

namespace UNetSharp.Instances;

/// <summary>
/// A data set whose labels are instance label maps (the DSB 2018 layout's per-nucleus masks, or label files in
/// paired/MSD layouts where every non-zero value is one object), seen through the three-class target of
/// <see cref="InstanceTargets"/>: <see cref="Load(int)"/> gives background / interior / border, so the planner,
/// the patch loader and the CE + Dice loss work unchanged (deep supervision, pruning and CGMs included).
/// </summary>
public sealed class InstanceTargetDataset : SegmentationDataset
{
    readonly SegmentationDataset inner;

    public InstanceTargetDataset(SegmentationDataset inner, InstanceTargetSettings settings) : base(inner.Root, inner.CaseIds)
    {
        settings.Validate();
        this.inner = inner;
        Settings = settings;
    }

    /// <summary>Wraps <paramref name="data"/> when the task is instance segmentation (settings given), else returns it.</summary>
    public static SegmentationDataset WrapIf(SegmentationDataset data, InstanceTargetSettings? settings) =>
        settings is null || data is InstanceTargetDataset ? data : new InstanceTargetDataset(data, settings);

    public InstanceTargetSettings Settings { get; }

    public override DatasetLayoutKind Kind => inner.Kind;

    /// <summary>The case with its instance label map as the label (0 = background, ids as in the files).</summary>
    public override SegmentationCase LoadInstanceCase(int index) => inner.LoadInstanceCase(index);

    public override SegmentationCase Load(int index)
    {
        var c = LoadInstanceCase(index);
        if (c.Label is null) throw new DataFormatException(System.IO.Path.Combine(Root, c.Id), "case has no label map to derive instance targets from");
        var target = InstanceTargets.ThreeClass(c.Label, c.Shape, Settings.BorderWidth);
        return new SegmentationCase(c.Id, c.Image, c.Channels, c.Shape, target, c.Spacing);
    }

    protected override (IReadOnlyDictionary<int, string>? Classes, IReadOnlyList<string> Modalities, int? Channels) Declared()
    {
        var meta = inner.Metadata;
        return (InstanceTargets.ClassNames, meta.Modalities, meta.Channels);
    }
}
