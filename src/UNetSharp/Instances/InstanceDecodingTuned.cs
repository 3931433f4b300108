using System.Text.Json;
using System.Text.Json.Nodes;
using UNetSharp.IO;

namespace UNetSharp.Instances;

/// <summary>
/// Reads the decoder settings a run tuned from its instances.json report, for runs written before inference.json held them
/// (Planning.InferenceChoices.TunedDecoding reads both):
/// per pruned depth, one set for watershed and one for connected components. Predict uses them unless told otherwise.
/// </summary>
public static class InstanceDecodingTuned
{
    public const string FileName = RunFolder.InstancesName;

    /// <summary>The tuned settings for <paramref name="method"/> at <paramref name="depth"/>; null when the folder has no
    /// instances.json or it holds no settings for that depth (a run from before tuning existed).</summary>
    public static InstanceDecodingOptions? Load(string runFolder, int depth, InstanceDecoderKind method)
    {
        string path = Path.Combine(runFolder, FileName);
        if (!File.Exists(path)) return null;
        try
        {
            var depths = JsonNode.Parse(File.ReadAllText(path))?["depths"]?.AsArray();
            var entry = depths?.FirstOrDefault(d => d?["depth"]?.GetValue<int>() == depth);
            string key = method == InstanceDecoderKind.Watershed ? "watershed_decoding" : "connected_components_decoding";
            var settings = entry?[key]?.Deserialize<InstanceDecodingOptions>(ProjectJson.Options);
            settings?.Validate();
            return settings is null ? null : settings with { Method = method };
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or ConfigurationException)
        {
            throw new DataFormatException(path, $"invalid tuned decoder settings: {e.Message}", e);
        }
    }
}
