using UNetSharp.Data.Layouts;
using UNetSharp.Models;

namespace UNetSharp.Planning;

/// <summary>Choices a user may fix before planning; everything left null is decided from the data.</summary>
public sealed record PlanOptions
{
    public string Architecture { get; init; } = "unet#";
    public int? Depth { get; init; }

    /// <summary>2 or 3; null: the data's. 2 on a volume data set plans the 2D configuration: a 2D network trained on
    /// slices across the coarsest axis (<see cref="ExperimentPlan.SliceAxis"/>). 3 on 2D images is refused.</summary>
    public int? Dimensions { get; init; }
    public IReadOnlyList<int>? Widths { get; init; }
    public IReadOnlyList<int>? PatchSize { get; init; }
    public int? BatchSize { get; init; }
    public bool DeepSupervision { get; init; } = true;
    public bool Cgm { get; init; } = true;
    public NormKind? Norm { get; init; }
    public NormalizationKind? Normalization { get; init; }
    public LayoutOptions Layout { get; init; } = LayoutOptions.Default;

    /// <summary>Volumes: the median case's voxel budget at the target spacing; larger data are planned at a coarser spacing (see <see cref="SpacingPlanner.FitCaseBudget"/>).</summary>
    public long MaxCaseVoxels { get; init; } = SpacingPlanner.MaxCaseVoxels;

    /// <summary>Instance segmentation: train on the three-class target of instance labels (the data set must be
    /// wrapped in <see cref="Instances.InstanceTargetDataset"/>). Null: semantic.</summary>
    public Instances.InstanceTargetSettings? Instances { get; init; }

    /// <summary>Cases read to measure shapes, labels and intensities (all when the set is smaller).</summary>
    public int SampleCases { get; init; } = 40;
}
