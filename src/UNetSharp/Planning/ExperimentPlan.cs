using System.Text.Json;
using System.Text.Json.Serialization;
using UNetSharp.Data.Layouts;
using UNetSharp.IO;
using UNetSharp.Models;

namespace UNetSharp.Planning;

/// <summary>
/// Everything decided before training that prediction must repeat: the network, how images are read and normalised,
/// the patch size. Saved once as plan.json in the run folder when planned and never rewritten (nnU-Net's "plans");
/// what training decides later is in inference.json (<see cref="InferenceChoices"/>).
/// </summary>
public sealed record ExperimentPlan
{
    public const string FileName = RunFolder.PlanName;

    public required NetworkConfig Network { get; init; }

    /// <summary>One entry per input channel.</summary>
    public required IReadOnlyList<ChannelNormalization> Normalization { get; init; }

    /// <summary>Training patch (and default inference tile) size, spatial axes slowest first; per axis a multiple of the product of its strides (2^L by default).</summary>
    public required IReadOnlyList<int> PatchSize { get; init; }

    /// <summary>
    /// Voxel spacing (mm, slowest axis first) every volume is resampled to before training and prediction; predictions are
    /// resampled back to the input's own grid. Null: cases are used at their own spacing (2D images, plans written before
    /// target spacings existed). See <see cref="Data.Preprocessing.Resampler"/> for the interpolation.
    /// </summary>
    public IReadOnlyList<double>? TargetSpacing { get; init; }

    /// <summary>
    /// The 2D configuration of a volume data set (nnU-Net's "2d"): the volume axis (0 = slowest, [z, y, x] for NIfTI) the
    /// 2D network's slices are cut across, chosen as the coarsest axis of the data's spacing. Volumes are moved to
    /// [slice, a, b] order, <see cref="TargetSpacing"/> then holds the two in-plane axes' spacing (the slice axis keeps
    /// each case's own), and predictions are resampled and moved back to the input's grid. Null: the network sees
    /// images of its own dimensionality.
    /// </summary>
    public int? SliceAxis { get; init; }

    /// <summary>Why <see cref="TargetSpacing"/> is coarser than the data set's median spacing (cases too large for the CPU budget); null when it is not.</summary>
    public string? SpacingNote { get; init; }

    public int BatchSize { get; init; } = 2;

    /// <summary>The memory budget, the training-memory estimate at the planned batch and patch, and how they were chosen; null in plans written before it was recorded.</summary>
    public MemoryPlan? Memory { get; init; }

    /// <summary>How the data set's files are read (layout kind, binary foreground value, RGB → gray).</summary>
    public LayoutOptions Layout { get; init; } = LayoutOptions.Default;

    /// <summary>Label value of each class index, e.g. [0, 1, 2]; predictions are written with these values.</summary>
    public IReadOnlyList<int> ClassValues { get; init; } = new[] { 0, 1 };

    /// <summary>Modality names per channel as the data set declared them.</summary>
    public IReadOnlyList<string> Modalities { get; init; } = Array.Empty<string>();

    /// <summary>Task setting: present for instance segmentation (targets background / interior / border from instance
    /// labels; `predict` decodes instances), null for semantic segmentation.</summary>
    public Instances.InstanceTargetSettings? Instances { get; init; }

    /// <summary>The run's cost measured before training (time per step, total); null in plans written before it was, and in plans not made by a training run.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public CostEstimate? CostEstimate { get; init; }

    /// <summary>Head init 'prior': the training cases' class frequencies (background first) that started the heads; null otherwise.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<double>? ClassPriors { get; init; }

    /// <summary>Depth to predict at unless told otherwise. Decided after planning, so never written to plan.json: it
    /// comes from inference.json (<see cref="InferenceChoices.PlanFor"/>), from a plan.json written before that file
    /// existed, or from the plan an exported model carries.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? PredictionDepth { get; init; }

    /// <summary>Clean-ups predict applies unless told otherwise; as <see cref="PredictionDepth"/>, from inference.json or an older plan.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PostProcessingPlan? PostProcessing { get; init; }

    /// <summary>The project's JSON style (snake_case keys, enums as strings).</summary>
    public string ToJson() => ProjectJson.Serialize(this);

    public void Save(string runFolder) => AtomicFile.WriteAllText(Path.Combine(runFolder, FileName), ToJson());

    /// <summary>Reads plan.json from a run folder, or from next to a checkpoint file.</summary>
    public static ExperimentPlan Load(string runFolderOrFile)
    {
        string path = Directory.Exists(runFolderOrFile) ? Path.Combine(runFolderOrFile, FileName)
            : Path.Combine(Path.GetDirectoryName(Path.GetFullPath(runFolderOrFile)) ?? ".", FileName);
        if (!File.Exists(path)) throw new DataFormatException(path, "plan not found (a run folder holds plan.json beside its checkpoints)");
        return Parse(File.ReadAllText(path), path);
    }

    /// <summary>A plan from its JSON (plan.json, or the copy an exported ONNX model carries), validated; errors name <paramref name="source"/>.</summary>
    public static ExperimentPlan Parse(string json, string source)
    {
        string path = source;
        try
        {
            var plan = ProjectJson.Deserialize<ExperimentPlan>(json, path);
            // JSON null passes the deserialiser even where the record holds no null: refuse it here, naming the key
            var missing = new (string Key, object? Value)[]
            {
                ("network", plan.Network), ("normalization", plan.Normalization), ("patch_size", plan.PatchSize), ("layout", plan.Layout),
                ("class_values", plan.ClassValues), ("modalities", plan.Modalities),
            }.FirstOrDefault(p => p.Value is null).Key;
            if (missing is not null) throw new DataFormatException(path, $"invalid plan: '{missing}' is missing or null");
            if (plan.Normalization.Any(n => n is null)) throw new DataFormatException(path, "invalid plan: a channel normalization is null");
            plan.Network.Validate();
            if (plan.Normalization.Count != plan.Network.InChannels)
                throw new DataFormatException(path, $"plan has {plan.Normalization.Count} channel normalisations for {plan.Network.InChannels} input channels");
            return plan;
        }
        catch (JsonException e) { throw new DataFormatException(path, $"invalid plan: {e.Message}", e); }
        catch (ConfigurationException e) { throw new DataFormatException(path, $"invalid plan: {e.Message}", e); }
    }
}
