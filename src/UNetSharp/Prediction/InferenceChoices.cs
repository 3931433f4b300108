using UNetSharp.Planning;

namespace UNetSharp.Prediction;

/// <summary>
/// What a run decided for inference: the depth chosen on validation or cross-validation, and the post-processing that
/// cross-validation found to help. The one place prediction reads them, so that moving where a run keeps them (today
/// plan.json; an exported ONNX model carries them in its plan metadata) changes this file only.
/// </summary>
/// <param name="Depth">Null: nothing chosen (the deepest depth the model runs is used).</param>
/// <param name="PostProcessing">Null: none chosen.</param>
public sealed record InferenceChoices(int? Depth, PostProcessingPlan? PostProcessing)
{
    /// <summary>The choices of a loaded model's run.</summary>
    public static InferenceChoices Of(PredictionModel model) => new(model.Plan.PredictionDepth, model.Plan.PostProcessing);
}
