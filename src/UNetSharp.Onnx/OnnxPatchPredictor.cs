using System.Text.Json;
using UNetSharp.Inference;
using UNetSharp.IO;
using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Onnx;

/// <summary>
/// <see cref="IPatchPredictor"/> over an exported model run by ONNX Runtime (CPU execution provider): the network it
/// describes, its one depth and its fixed input size (if any) come from the metadata <see cref="OnnxExporter"/> writes.
/// Owns the session.
/// </summary>
public sealed class OnnxPatchPredictor : IPatchPredictor
{
    readonly OnnxInference inference;

    public OnnxPatchPredictor(OnnxInference inference)
    {
        this.inference = inference;
        var meta = inference.Metadata;
        if (!meta.TryGetValue(OnnxMetadata.FormatKey, out var format) || !meta.ContainsKey(OnnxMetadata.NetworkKey) || !meta.ContainsKey(OnnxMetadata.DepthKey))
            throw new DataFormatException(inference.Path, "ONNX model without UNetSharp metadata (unetsharp.format, unetsharp.network, unetsharp.depth): " +
                "export it with UNetSharp so that the network, its depth and its pre-processing travel with it");
        if (format != OnnxMetadata.Format) throw new DataFormatException(inference.Path, $"unknown UNetSharp ONNX format '{format}' (this version reads {OnnxMetadata.Format})");
        try
        {
            Network = JsonSerializer.Deserialize<NetworkConfig>(meta[OnnxMetadata.NetworkKey], ProjectJson.Options)
                ?? throw new DataFormatException(inference.Path, "metadata unetsharp.network is empty");
            Network.Validate();
        }
        catch (JsonException e) { throw new DataFormatException(inference.Path, $"metadata unetsharp.network is not a network configuration: {e.Message}"); }
        catch (ConfigurationException e) { throw new DataFormatException(inference.Path, $"metadata unetsharp.network: {e.Message}"); }
        if (!int.TryParse(meta[OnnxMetadata.DepthKey], out int depth) || depth < 1 || depth > Network.Depth)
            throw new DataFormatException(inference.Path, $"metadata unetsharp.depth '{meta[OnnxMetadata.DepthKey]}' is not a depth of a depth-{Network.Depth} network");
        Depths = [depth];
        var dims = inference.InputDimensions;
        if (dims.Count != Network.Dimensions + 2 || (dims[1] > 0 && dims[1] != Network.InChannels))
            throw new DataFormatException(inference.Path, $"input 'image' is [{string.Join(", ", dims)}], not [batch, {Network.InChannels}, {Network.Dimensions} spatial axes] as its metadata says");
        if (dims.Skip(2).All(d => d > 0)) FixedInputSize = dims.Skip(2).ToArray();
        Engine = meta.TryGetValue(OnnxMetadata.QuantizationKey, out var q) && q.Length > 0 ? $"onnxruntime-{q}" : "onnxruntime";
    }

    public OnnxInference Session => inference;
    public NetworkConfig Network { get; }
    public IReadOnlyList<int> Depths { get; }
    public IReadOnlyList<int>? FixedInputSize { get; }
    public string Engine { get; }

    public PatchOutput Run(Tensor patches, int depth)
    {
        if (depth != Depths[0]) throw new ConfigurationException($"{inference.Path} was exported at depth {Depths[0]}, not {depth}");
        using var contiguous = patches.to_type(ScalarType.Float32).contiguous();
        var output = inference.Run(contiguous.data<float>().ToArray(), patches.shape);
        var logits = tensor(output.Logits, output.Shape);
        var presence = output.Presence is { } p ? tensor(p, [output.Shape[0], output.Shape[1]]) : null;
        return new PatchOutput(logits, presence);
    }

    public void Dispose() => inference.Dispose();
}
