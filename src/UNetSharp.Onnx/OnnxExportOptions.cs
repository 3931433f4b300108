using UNetSharp.Planning;

namespace UNetSharp.Onnx;

/// <summary>How <see cref="OnnxExporter"/> writes a model.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>
    /// Fixed spatial input size, e.g. [256, 256]; null = dynamic spatial axes (any multiple of 2^depth: the
    /// up-samplings use constant power-of-two scales, which give the exact level sizes for such inputs).
    /// The batch axis is always dynamic.
    /// </summary>
    public IReadOnlyList<long>? InputSize { get; init; }

    /// <summary>Also output "probabilities": sigmoid for one class, softmax over the channels otherwise.</summary>
    public bool Probabilities { get; init; }

    /// <summary>The run's plan: its class values, normalisation, patch size and modalities go into the metadata.</summary>
    public ExperimentPlan? Plan { get; init; }

    /// <summary>Free-form producer note (e.g. the checkpoint it came from), stored as metadata "unetsharp.source".</summary>
    public string? Source { get; init; }
}
