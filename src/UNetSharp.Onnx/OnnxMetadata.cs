using System.Globalization;
using UNetSharp.IO;
using System.Text.Json;
using UNetSharp.Models;

namespace UNetSharp.Onnx;

/// <summary>
/// The metadata_props of an exported model ("unetsharp.*" keys), so that a deployed file carries what a caller
/// needs to feed it and read it: architecture, depths, classes, size multiple and, from the plan, class values,
/// per-channel normalisation, patch size and modalities. Values are plain text or JSON.
/// </summary>
public static class OnnxMetadata
{
    public const string Format = "unetsharp-onnx/1";

    public const string FormatKey = "unetsharp.format", PlanKey = "unetsharp.plan", NetworkKey = "unetsharp.network", DepthKey = "unetsharp.depth",
        InputSizeKey = "unetsharp.input_size", QuantizationKey = "unetsharp.quantization";


    internal static IEnumerable<(string Key, string Value)> For(SegmentationNetwork network, int depth, OnnxExportOptions options, IReadOnlyList<string> outputs, string? presenceModule)
    {
        var c = network.Config;
        string Int(long v) => v.ToString(CultureInfo.InvariantCulture);
        yield return ("unetsharp.format", Format);
        yield return ("unetsharp.architecture", network.Topology.Name);
        yield return ("unetsharp.dimensions", Int(c.Dimensions));
        yield return ("unetsharp.in_channels", Int(c.InChannels));
        yield return ("unetsharp.classes", Int(c.Classes));
        yield return ("unetsharp.depth", Int(depth));
        yield return ("unetsharp.network_depth", Int(c.Depth));
        // One number when every axis has the same multiple (isotropic strides), else one per axis: "1x4x4".
        var multiples = c.LevelScale(depth);
        yield return ("unetsharp.size_multiple", multiples.Distinct().Count() == 1 ? Int(multiples[0]) : string.Join("x", multiples));
        yield return ("unetsharp.input_size", options.InputSize is { } s ? string.Join("x", s) : "dynamic");
        yield return ("unetsharp.outputs", string.Join(",", outputs));
        yield return ("unetsharp.activation", c.Classes == 1 ? "sigmoid" : "softmax");
        if (presenceModule is not null) yield return ("unetsharp.presence", presenceModule);
        yield return ("unetsharp.network", JsonSerializer.Serialize(c, ProjectJson.Compact));
        if (options.Source is { } source) yield return ("unetsharp.source", source);
        if (options.Plan is not { } plan) yield break;
        yield return ("unetsharp.class_values", JsonSerializer.Serialize(plan.ClassValues, ProjectJson.Compact));
        yield return ("unetsharp.normalization", JsonSerializer.Serialize(plan.Normalization, ProjectJson.Compact));
        yield return ("unetsharp.patch_size", string.Join("x", plan.PatchSize));
        yield return ("unetsharp.modalities", JsonSerializer.Serialize(plan.Modalities, ProjectJson.Compact));
        yield return ("unetsharp.layout", JsonSerializer.Serialize(plan.Layout, ProjectJson.Compact));
        // The whole plan (target spacing, task, ...), at the exported depth: `predict` reads it back from the model alone.
        yield return (PlanKey, JsonSerializer.Serialize(plan with { PredictionDepth = depth }, ProjectJson.Compact));
    }
}
