using UNetSharp.Data;
using UNetSharp.Data.Layouts;
using UNetSharp.Data.Preprocessing;

namespace UNetSharp.Planning;

/// <summary>Applies a plan's target spacing to one case (training and prediction alike), with errors that name the file.</summary>
public static class PlannedSpacing
{
    /// <summary>The file to name in messages about a case: its image file, else its folder entry.</summary>
    public static string FileOf(SegmentationDataset data, int index) => data.CaseFilePaths(index).Image ?? Path.Combine(data.Root, data.CaseIds[index]);

    /// <summary>
    /// The case on the grid the plan's network sees: resampled to the plan's target spacing (<see cref="Resample"/>), and
    /// for the 2D configuration of volumes (<see cref="ExperimentPlan.SliceAxis"/>) first moved to [slice, a, b] order with
    /// only the two in-plane axes resampled (each case keeps its own slice spacing). Without a target spacing: the case itself.
    /// </summary>
    public static SegmentationCase ForNetwork(SegmentationCase c, ExperimentPlan plan, string file)
    {
        if (plan.SliceAxis is int axis && c.Dimensions == 3)
        {
            IO.FiniteValues.RequireSpacing(c.Spacing, file);
            var slices = VolumeSlices.MoveAxisFirst(c, axis);
            return plan.TargetSpacing is { } inPlane ? Resample(slices, [slices.Spacing[0], .. inPlane], file) : slices;
        }
        return plan.TargetSpacing is { } target ? Resample(c, target, file) : c;
    }

    /// <summary>
    /// The case resampled to <paramref name="target"/> (image linear, labels nearest; see <see cref="Resampler"/>), or the
    /// case itself when its spacing already is the target. A target with another number of axes than the case (a 3D
    /// plan's spacing given a 2D image) is a configuration error; a spacing that is not positive names <paramref name="file"/>.
    /// </summary>
    public static SegmentationCase Resample(SegmentationCase c, IReadOnlyList<double> target, string file)
    {
        if (target.Count != c.Dimensions)
            throw new DataFormatException(file, $"is {c.Dimensions}D but the plan's target spacing [{string.Join(", ", target)}] has {target.Count} axes");
        IO.FiniteValues.RequireSpacing(c.Spacing, file);
        // a forged pixdim (1e6 mm) would ask for an absurd grid: checked in double before any int shape or allocation
        double values = c.Channels;
        for (int a = 0; a < c.Dimensions; a++) values *= Math.Max(1, Math.Round(c.Shape[a] * c.Spacing[a] / target[a]));
        if (!(values <= int.MaxValue))
            throw new DataFormatException(file, $"resampling {string.Join("x", c.Shape)} voxels of spacing [{string.Join(", ", c.Spacing)}] to the target spacing [{string.Join(", ", target)}] would need {values:G3} values (at most {int.MaxValue})");
        return Resampler.ToSpacing(c, target.ToArray());
    }
}
