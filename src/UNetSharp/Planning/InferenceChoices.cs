using System.Text.Json;
using UNetSharp.Instances;
using UNetSharp.IO;

namespace UNetSharp.Planning;

/// <summary>The decoders tuned on training cases at one pruned depth (the instance task).</summary>
public sealed record TunedDecoders(int Depth, InstanceDecodingOptions Watershed, InstanceDecodingOptions ConnectedComponents);

/// <summary>
/// inference.json: what training and validation decided about prediction, kept beside the frozen plan.json (as nnU-Net
/// keeps its post-processing apart from its plans): the depth to predict at, the post-processing chosen on
/// cross-validation, the instance decoders tuned per depth. Prediction reads the plan through <see cref="PlanFor"/>.
/// Runs written before inference.json existed kept the depth and post-processing in plan.json; those are still read.
/// </summary>
public sealed record InferenceChoices
{
    /// <summary>Depth to predict at (smallest within the depth tolerance of the best validation Dice); null: the full depth.</summary>
    public int? ChosenDepth { get; init; }

    /// <summary>Clean-ups predict applies unless told otherwise (chosen on cross-validation); null: none.</summary>
    public PostProcessingPlan? PostProcessing { get; init; }

    /// <summary>Instance task: per pruned depth, the decoder settings tuned on training cases; null: semantic, or not tuned.</summary>
    public IReadOnlyList<TunedDecoders>? InstanceDecoders { get; init; }

    /// <summary>RUN/inference.json, else the choices an older plan.json held, else none.</summary>
    public static InferenceChoices Load(string runFolder)
    {
        var folder = new RunFolder(runFolder);
        if (File.Exists(folder.Inference))
        {
            try { return ProjectJson.Deserialize<InferenceChoices>(File.ReadAllText(folder.Inference), folder.Inference); }
            catch (JsonException e) { throw new DataFormatException(folder.Inference, $"invalid inference choices: {e.Message}", e); }
        }
        if (!File.Exists(folder.Plan)) return new InferenceChoices();
        var old = ExperimentPlan.Load(runFolder);
        return new InferenceChoices { ChosenDepth = old.PredictionDepth, PostProcessing = old.PostProcessing };
    }

    /// <summary>Reads, changes and writes RUN/inference.json (the only writer: each stage of the run adds its choice).</summary>
    public static InferenceChoices Update(string runFolder, Func<InferenceChoices, InferenceChoices> change)
    {
        var updated = change(Load(runFolder));
        AtomicFile.WriteAllText(new RunFolder(runFolder).Inference, ProjectJson.Serialize(updated));
        return updated;
    }

    /// <summary>The decoder settings the run tuned for <paramref name="method"/> at <paramref name="depth"/> (inference.json, else
    /// the instances.json report of runs written before it); null when it tuned none there.</summary>
    public static InstanceDecodingOptions? TunedDecoding(string runFolder, int depth, InstanceDecoderKind method)
    {
        if (Load(runFolder).InstanceDecoders is not { } tuned) return InstanceDecodingTuned.Load(runFolder, depth, method);
        var atDepth = tuned.FirstOrDefault(t => t.Depth == depth);
        var settings = method == InstanceDecoderKind.Watershed ? atDepth?.Watershed : atDepth?.ConnectedComponents;
        return settings is null ? null : settings with { Method = method };
    }

    /// <summary>
    /// The plan prediction uses for a run folder or a model file in one: plan.json with this folder's choices (the
    /// prediction depth and post-processing) filled in.
    /// </summary>
    public static ExperimentPlan PlanFor(string runFolderOrFile)
    {
        var plan = ExperimentPlan.Load(runFolderOrFile);
        var choices = Load(RunFolder.Of(runFolderOrFile).Path);
        return plan with { PredictionDepth = choices.ChosenDepth ?? plan.PredictionDepth, PostProcessing = choices.PostProcessing ?? plan.PostProcessing };
    }
}
