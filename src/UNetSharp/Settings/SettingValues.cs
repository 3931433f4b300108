using System.Text.Json;
using System.Text.Json.Nodes;
using UNetSharp.IO;
using YamlDotNet.RepresentationModel;

namespace UNetSharp.Settings;

/// <summary>One setting as text: its key, the text (null: "not set"), and how messages name it ("'epochs'", "--epochs").</summary>
public sealed record SettingValue(string Key, string? Text, string Name);

/// <summary>
/// Settings given as text by one source, a config file or the command line, applied over a baseline
/// (<see cref="ApplyTo"/>): the defaults for a new run, a saved run's config.json for a resume. Config files are JSON or
/// YAML, flat (<c>epochs: 7</c>, keys snake_case or with dashes) or nested by stage as config.json writes them, so a
/// run's config.json is itself a config file. Unknown keys are refused naming the nearest known one; a bad value is
/// one line naming the file and key.
/// </summary>
public sealed class SettingValues
{
    readonly List<SettingValue> values;

    SettingValues(string? file, List<SettingValue> values) { File = file; this.values = values; }

    public static SettingValues None { get; } = new(null, []);

    /// <summary>The file the values came from; null for the command line (messages then name the flag alone).</summary>
    public string? File { get; }

    public IReadOnlyList<SettingValue> Values => values;

    /// <summary>The text given for a setting (null when not given or given as null).</summary>
    public string? Text(string key) => values.LastOrDefault(v => v.Key == key)?.Text;

    /// <summary>Values from the command line: each named by its flag in messages.</summary>
    public static SettingValues FromArguments(IEnumerable<SettingValue> arguments) => new(null, arguments.ToList());

    /// <summary>Values read from <paramref name="file"/> by a reader of its own (an experiment file's 'settings'), checked as a config file's:
    /// unknown keys refused with the nearest known one, each key once; <paramref name="where"/> prefixes keys in messages ("settings.").</summary>
    public static SettingValues FromPairs(string file, IEnumerable<(string Key, string? Text)> pairs, string where = "")
    {
        var list = new List<SettingValue>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (raw, text) in pairs)
        {
            string key = SettingKeys.Normalize(raw);
            if (!SettingKeys.Known.Contains(key)) throw new DataFormatException(file, $"unknown option '{where}{raw}'{SettingKeys.DidYouMean(key)}");
            if (!seen.Add(key)) throw new DataFormatException(file, $"'{where}{raw.Replace('-', '_')}' is set twice");
            list.Add(new SettingValue(key, text, $"'{where}{key}'"));
        }
        return new SettingValues(file, list);
    }

    /// <summary>A config file: a JSON object or YAML mapping of settings, flat or nested by stage.</summary>
    public static SettingValues Load(string path)
    {
        if (!System.IO.File.Exists(path)) throw new DataFormatException(path, "config file not found");
        string text = System.IO.File.ReadAllText(path);
        var pairs = new List<(string, string?)>();
        try
        {
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new DataFormatException(path, "a config file must hold one JSON object");
                ReadJson(path, doc.RootElement, pairs, nested: false);
            }
            else
            {
                var yaml = new YamlStream();
                yaml.Load(new StringReader(text));
                if (yaml.Documents.Count > 0)
                {
                    if (yaml.Documents[0].RootNode is not YamlMappingNode map) throw new DataFormatException(path, "a config file must hold one YAML mapping");
                    ReadYaml(path, map, pairs, nested: false);
                }
            }
        }
        catch (JsonException e) { throw new DataFormatException(path, $"invalid JSON: {e.Message}", e); }
        catch (YamlDotNet.Core.YamlException e) { throw new DataFormatException(path, $"invalid YAML: {e.Message}", e); }
        catch (InvalidCastException e) { throw new DataFormatException(path, "config keys and values must be plain scalars", e); }
        return FromPairs(path, pairs);
    }

    static void ReadJson(string path, JsonElement obj, List<(string, string?)> pairs, bool nested)
    {
        foreach (var p in obj.EnumerateObject())
        {
            if (!nested && p.Name == "version") { CheckVersion(path, p.Value.ToString()); continue; }
            if (!nested && p.Value.ValueKind == JsonValueKind.Object && SettingKeys.Stages.Contains(p.Name)) { ReadJson(path, p.Value, pairs, nested: true); continue; }
            pairs.Add((p.Name, p.Value.ValueKind switch
            {
                JsonValueKind.Null => null,
                JsonValueKind.String => p.Value.GetString()!,
                JsonValueKind.Array => string.Join(",", p.Value.EnumerateArray().Select(e => e.ToString())),
                JsonValueKind.Object => throw new DataFormatException(path, $"'{p.Name}' must be a value or a list, not an object"),
                _ => p.Value.GetRawText(),
            }));
        }
    }

    static void ReadYaml(string path, YamlMappingNode map, List<(string, string?)> pairs, bool nested)
    {
        foreach (var (keyNode, value) in map.Children)
        {
            string key = ((YamlScalarNode)keyNode).Value ?? "";
            if (!nested && key == "version" && value is YamlScalarNode v) { CheckVersion(path, v.Value ?? ""); continue; }
            if (!nested && value is YamlMappingNode stage && SettingKeys.Stages.Contains(key)) { ReadYaml(path, stage, pairs, nested: true); continue; }
            pairs.Add((key, value switch
            {
                YamlScalarNode scalar => scalar.Value is null or "~" or "null" or "" ? null : scalar.Value,
                YamlSequenceNode seq => string.Join(",", seq.Children.Select(c => ((YamlScalarNode)c).Value)),
                _ => throw new DataFormatException(path, $"'{key}' must be a value or a list"),
            }));
        }
    }

    static void CheckVersion(string path, string version)
    {
        if (version is not ("1" or "2")) throw new DataFormatException(path, $"'version' {version} is not a settings version this program reads (1 or {RunSettings.CurrentVersion})");
    }

    /// <summary>The baseline with every value given here; a patch given as one size repeats over the settings' dims.</summary>
    public RunSettings ApplyTo(RunSettings baseline)
    {
        var node = JsonSerializer.SerializeToNode(baseline, ProjectJson.Options)!.AsObject();
        try
        {
            // the patch last: one size repeats over the dimensions, which may be given alongside it
            var given = values.Where(v => v.Text is not null).ToList();
            // the weights' seed seeds the split and the loader too, unless data_seed is given
            if (given.LastOrDefault(v => v.Key == "seed") is { } seed && !given.Any(v => v.Key == "data_seed")) given.Add(seed with { Key = "data_seed" });
            foreach (var value in given.OrderBy(v => v.Key == "patch"))
            {
                bool negated = SettingKeys.NegatedAliases.TryGetValue(value.Key, out var target);
                if (SettingKeys.Aliases.TryGetValue(value.Key, out var renamed)) target = renamed;
                var setting = SettingKeys.Find(target ?? value.Key)!;
                int? dims = (node["plan"]?["dims"] as JsonValue)?.GetValue<int>();
                var parsed = SettingText.Parse(setting, value.Text!, value.Name, dims);
                if (negated) parsed = JsonValue.Create(!parsed.GetValue<bool>());
                var holder = setting.Stage.Length == 0 ? node : node[setting.Stage]!.AsObject();
                holder[setting.Key] = parsed;
            }
        }
        catch (ConfigurationException e) when (File is not null) { throw new DataFormatException(File, e.Message, e); }
        return node.Deserialize<RunSettings>(ProjectJson.Options)!;
    }
}
