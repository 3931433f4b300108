using System.Globalization;
using System.Text.Json;
using UNetSharp.Pipeline;
using YamlDotNet.RepresentationModel;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// A flat config file (JSON object or YAML mapping) of setting names to scalar values or lists. Keys are the settings of
/// a run's config.json (<see cref="RunConfiguration.Keys"/>, snake_case) and may equally be written like the flags
/// (<c>batches-per-epoch</c> == <c>batches_per_epoch</c>), so a run's config.json is itself a valid config file. A null
/// value means "not set". Unknown keys are an error naming the nearest known key.
/// </summary>
public sealed class ConfigValues
{
    /// <summary>Every key a config file may hold: the run configuration's, and "dims" (a check against the data set).</summary>
    public static IReadOnlySet<string> Known { get; } = new SortedSet<string>(RunConfiguration.Keys.Append("dims"), StringComparer.Ordinal);

    readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
    readonly string source = "";

    public ConfigValues() { }

    ConfigValues(string path, Dictionary<string, string> values) { source = path; this.values = values; }

    /// <summary>The file's own path (empty when there is none).</summary>
    public string Source => source;

    /// <summary>Key as stored: snake_case.</summary>
    public static string Normalize(string key) => key.Trim().Replace('-', '_');

    public static ConfigValues Load(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "config file not found");
        string text = File.ReadAllText(path);
        var raw = new List<(string Key, string? Value)>();
        try
        {
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new DataFormatException(path, "a config file must hold one JSON object");
                foreach (var p in doc.RootElement.EnumerateObject())
                    raw.Add((p.Name, p.Value.ValueKind switch
                    {
                        JsonValueKind.Null => null,
                        JsonValueKind.String => p.Value.GetString()!,
                        JsonValueKind.Array => string.Join(",", p.Value.EnumerateArray().Select(e => e.ToString())),
                        JsonValueKind.Object => throw new DataFormatException(path, $"'{p.Name}' must be a value or a list, not an object"),
                        _ => p.Value.GetRawText(),
                    }));
            }
            else
            {
                var yaml = new YamlStream();
                yaml.Load(new StringReader(text));
                if (yaml.Documents.Count > 0)
                {
                    if (yaml.Documents[0].RootNode is not YamlMappingNode map) throw new DataFormatException(path, "a config file must hold one YAML mapping");
                    foreach (var (key, value) in map.Children)
                        raw.Add((((YamlScalarNode)key).Value ?? "", value switch
                        {
                            YamlScalarNode scalar => scalar.Value is null or "~" or "null" or "" ? null : scalar.Value,
                            YamlSequenceNode seq => string.Join(",", seq.Children.Select(c => ((YamlScalarNode)c).Value)),
                            _ => throw new DataFormatException(path, $"'{key}' must be a value or a list"),
                        }));
                }
            }
        }
        catch (JsonException e) { throw new DataFormatException(path, $"invalid JSON: {e.Message}", e); }
        catch (YamlDotNet.Core.YamlException e) { throw new DataFormatException(path, $"invalid YAML: {e.Message}", e); }
        catch (InvalidCastException e) { throw new DataFormatException(path, "config keys and values must be plain scalars", e); }
        return FromPairs(path, raw);
    }

    /// <summary>Settings read elsewhere (an experiment file's 'settings'), checked as a config file's: unknown keys refused with
    /// the nearest known one, each key once; <paramref name="where"/> prefixes the key in messages ("settings.").</summary>
    public static ConfigValues FromPairs(string path, IEnumerable<(string Key, string? Value)> raw, string where = "")
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in raw)
        {
            string name = Normalize(key);
            if (!Known.Contains(name)) throw new DataFormatException(path, $"unknown option '{where}{key}'{DidYouMean(name)}");
            if (!seen.Add(name)) throw new DataFormatException(path, $"'{where}{key}' is set twice");
            if (value is not null) values[name] = value;
        }
        return new ConfigValues(path, values);
    }

    /// <summary>"; did you mean 'epochs'?" for the nearest known key (edit distance at most a third of its length), else the list.</summary>
    public static string DidYouMean(string key) => DidYouMean(key, Known);

    /// <summary>As <see cref="DidYouMean(string)"/> among <paramref name="known"/>.</summary>
    public static string DidYouMean(string key, IEnumerable<string> known)
    {
        var best = known.Select(k => (Key: k, Distance: ArgumentErrors.Distance(key, k))).OrderBy(p => p.Distance).ThenBy(p => p.Key, StringComparer.Ordinal).First();
        return best.Distance <= Math.Max(2, best.Key.Length / 3)
            ? $"; did you mean '{best.Key}'?"
            : $"; known: {string.Join(", ", known)}";
    }

    public string? String(string key) => values.GetValueOrDefault(Normalize(key));
    public int? Int(string key) => Parse(key, v => int.Parse(v, CultureInfo.InvariantCulture));
    public long? Long(string key) => Parse(key, v => long.Parse(v, CultureInfo.InvariantCulture));
    public double? Double(string key) => Parse(key, v => double.Parse(v, CultureInfo.InvariantCulture));
    public bool? Bool(string key) => Parse(key, v => bool.Parse(v));

    T? Parse<T>(string key, Func<string, T> parse) where T : struct
    {
        key = Normalize(key);
        if (!values.TryGetValue(key, out var text)) return null;
        try { return parse(text); }
        catch (FormatException) { throw new DataFormatException(source, $"'{key}' has an invalid value '{text}'"); }
        catch (OverflowException) { throw new DataFormatException(source, $"'{key}' is out of range: '{text}'"); }
    }
}
