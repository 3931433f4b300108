using UNetSharp.Data;
using UNetSharp.Data.Layouts;
using UNetSharp.Data.Sampling;
using UNetSharp.Planning;

namespace UNetSharp.Pipeline;

/// <summary>
/// Cases of a data set as the network sees them: normalised per the plan, label values mapped to class
/// indices (plan.ClassValues[i] → i) and resampled to the plan's target spacing when it has one; for the 2D configuration of volumes, moved to
/// [slice, a, b] order (<see cref="PlannedSpacing.ForNetwork"/>), so the loader cuts 2D patches from single slices. Used for training, validation and the final evaluation alike.
/// </summary>
public sealed class PlannedCaseSource(SegmentationDataset data, IReadOnlyList<int> indices, ExperimentPlan plan) : ICaseSource
{
    readonly Dictionary<int, int> classIndex = plan.ClassValues.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i);

    public int Count => indices.Count;

    public string Id(int index) => data.CaseIds[indices[index]];

    public SegmentationCase Load(int index)
    {
        var raw = data.Load(indices[index]);
        if (raw.Channels != plan.Network.InChannels)
            throw new DataFormatException(Path.Combine(data.Root, raw.Id), $"has {raw.Channels} channel(s), the plan expects {plan.Network.InChannels}");
        int[]? labels = null;
        if (raw.Label is { } label)
        {
            labels = new int[label.Length];
            for (int i = 0; i < label.Length; i++)
            {
                if (!classIndex.TryGetValue(label[i], out int c))
                    throw new DataFormatException(Path.Combine(data.Root, raw.Id), $"label value {label[i]} is not one of the planned classes {string.Join(",", plan.ClassValues)}");
                labels[i] = c;
            }
        }
        var normalized = NormalizationScheme.Apply(raw, plan.Normalization);
        var planned = new SegmentationCase(raw.Id, normalized.Image, raw.Channels, raw.Shape, labels, raw.Spacing);
        return PlannedSpacing.ForNetwork(planned, plan, PlannedSpacing.FileOf(data, indices[index]));
    }
}
