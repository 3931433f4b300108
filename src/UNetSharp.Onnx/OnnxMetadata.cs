using System.Globalization;
using System.Text.Json;
using UNetSharp.Models;

namespace UNetSharp.Export;

/// <summary>
/// The metadata_props of an exported model ("unetsharp.*" keys), so that a deployed file carries what a caller
/// needs to feed it and read it: architecture, depths, classes, size multiple and, from the plan, class values,
/// per-channel normalisation, patch size and modalities. Values are plain text or JSON.
/// </summary>
public static class OnnxMetadata
{
    public const string Format = "unetsharp-onnx/1";

    static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

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
        yield return ("unetsharp.size_multiple", Int(1L << depth));
        yield return ("unetsharp.input_size", options.InputSize is { } s ? string.Join("x", s) : "dynamic");
        yield return ("unetsharp.outputs", string.Join(",", outputs));
        yield return ("unetsharp.activation", c.Classes == 1 ? "sigmoid" : "softmax");
        if (presenceModule is not null) yield return ("unetsharp.presence", presenceModule);
        yield return ("unetsharp.network", JsonSerializer.Serialize(c, Json));
        if (options.Source is { } source) yield return ("unetsharp.source", source);
        if (options.Plan is not { } plan) yield break;
        yield return ("unetsharp.class_values", JsonSerializer.Serialize(plan.ClassValues, Json));
        yield return ("unetsharp.normalization", JsonSerializer.Serialize(plan.Normalization, Json));
        yield return ("unetsharp.patch_size", string.Join("x", plan.PatchSize));
        yield return ("unetsharp.modalities", JsonSerializer.Serialize(plan.Modalities, Json));
        yield return ("unetsharp.layout", JsonSerializer.Serialize(plan.Layout, Json));
    }
}
