using System.Text.Json;

namespace UNetSharp.Data.Layouts;

/// <summary>
/// The parts of an MSD or nnU-Net v2 <c>dataset.json</c> we use. MSD: "training": [{"image", "label"}], "modality",
/// "labels" {"0": "background"}. nnU-Net v2: "channel_names", "labels" {"background": 0}, "file_ending".
/// </summary>
internal sealed record DatasetJson(
    IReadOnlyList<(string Image, string? Label)>? Training,
    IReadOnlyDictionary<int, string>? Labels,
    IReadOnlyList<string> Modalities,
    string? FileEnding)
{
    public bool IsNnUNetV2 => Training is null;

    public static DatasetJson Read(string path, string root)
    {
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
            var top = doc.RootElement;
            if (top.ValueKind != JsonValueKind.Object) throw new DataFormatException(path, "dataset.json must hold a JSON object");
            var modalities = Channels(top, "channel_names", path) ?? Channels(top, "modality", path) ?? [];
            var labels = top.TryGetProperty("labels", out var l) ? ParseLabels(l, path) : null;
            string? ending = top.TryGetProperty("file_ending", out var e) && e.ValueKind == JsonValueKind.String ? e.GetString() : null;
            if (ending is not null && !UNetSharp.IO.ImageFile.IsSupported("x" + ending))
                throw new DataFormatException(path, $"file_ending '{ending}' is not a supported image type");
            List<(string, string?)>? training = null;
            if (top.TryGetProperty("training", out var t) && ending is null)
            {
                if (t.ValueKind != JsonValueKind.Array) throw new DataFormatException(path, "\"training\" must be a list");
                training = [];
                foreach (var entry in t.EnumerateArray())
                {
                    if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("image", out var img) || img.ValueKind != JsonValueKind.String)
                        throw new DataFormatException(path, "each \"training\" entry needs an \"image\" path");
                    string? label = entry.TryGetProperty("label", out var lab) && lab.ValueKind == JsonValueKind.String ? lab.GetString() : null;
                    training.Add((SafePath.Resolve(root, img.GetString()!, path), label is null ? null : SafePath.Resolve(root, label, path)));
                }
            }
            return new DatasetJson(training, labels, modalities, ending);
        }
        catch (JsonException e) { throw new DataFormatException(path, $"invalid JSON ({e.Message.ReplaceLineEndings(" ")})", e); }
        catch (IOException e) { throw new DataFormatException(path, $"cannot read ({e.Message})", e); }
        catch (InvalidOperationException e) { throw new DataFormatException(path, $"unexpected JSON value ({e.Message})", e); }
    }

    /// <summary>{"0": "MRI", "1": "T2"} → ["MRI", "T2"] in key order.</summary>
    static List<string>? Channels(JsonElement top, string name, string path)
    {
        if (!top.TryGetProperty(name, out var c)) return null;
        if (c.ValueKind != JsonValueKind.Object) throw new DataFormatException(path, $"\"{name}\" must be an object");
        var pairs = new List<(int Index, string Name)>();
        foreach (var p in c.EnumerateObject())
        {
            if (!int.TryParse(p.Name, out int index) || index < 0) throw new DataFormatException(path, $"\"{name}\" key '{p.Name}' is not a channel index");
            pairs.Add((index, p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.ToString()));
        }
        var ordered = pairs.OrderBy(p => p.Index).ToList();
        if (ordered.Where((p, i) => p.Index != i).Any()) throw new DataFormatException(path, $"\"{name}\" channel indices must be 0..{ordered.Count - 1}");
        return ordered.Select(p => p.Name).ToList();
    }

    /// <summary>MSD {"0": "background"} or nnU-Net v2 {"background": 0}; region lists are not supported.</summary>
    static Dictionary<int, string> ParseLabels(JsonElement l, string path)
    {
        if (l.ValueKind != JsonValueKind.Object) throw new DataFormatException(path, "\"labels\" must be an object");
        var result = new Dictionary<int, string>();
        foreach (var p in l.EnumerateObject())
        {
            int value; string name;
            if (int.TryParse(p.Name, out int key) && p.Value.ValueKind == JsonValueKind.String) { value = key; name = p.Value.GetString()!; }
            else if (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt32(out int v)) { value = v; name = p.Name; }
            else throw new DataFormatException(path, $"label '{p.Name}' is neither \"value\": \"name\" (MSD) nor \"name\": value (nnU-Net); region labels are not supported");
            if (!result.TryAdd(value, name)) throw new DataFormatException(path, $"label value {value} is declared twice");
        }
        return result;
    }
}
