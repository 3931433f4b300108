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

    /// <summary>
    /// Memory one training step may use, in bytes (the estimate of <see cref="TrainingMemory"/>: activations, parameters,
    /// gradients and Adam's moments, above the process's baseline); batch and patch are planned to fit it
    /// (<see cref="BatchPatchPlanner"/>). Null: <see cref="DefaultMemoryBudget"/>, and a given batch or patch over it is
    /// kept with a warning; set, such a batch or patch is refused.
    /// </summary>
    public long? MemoryBudget { get; init; }

    /// <summary>
    /// 4 GiB: a sixth of a 24 GiB machine shared by training, prediction and the loader's case cache. It keeps the planner's
    /// 2D default network at 256² patches at batch 4–5 (measured peak 3.4 GB at batch 4, docs/BENCHMARKS.md) and the 3D
    /// defaults at their median-shape patch and batch 2.
    /// </summary>
    public const long DefaultMemoryBudget = 4L << 30;
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
