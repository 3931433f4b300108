using System.Globalization;
using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace UNetSharp.Cli.Commands;

/// <summary>A flat config file (JSON object or YAML mapping) of option names to scalar values; unknown keys are an error.</summary>
public sealed class ConfigValues
{
    static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "data", "out", "arch", "dims", "depth", "widths", "patch", "batch", "epochs", "iterations", "batches-per-epoch", "lr", "optimizer",
        "weight-decay", "warmup", "patience", "clip", "loss", "ds-weights", "no-cgm", "no-deep-supervision", "augment", "val-fraction",
        "max-cases", "seed", "threads", "binary-foreground", "gray",
    };

    readonly Dictionary<string, string> values = new(StringComparer.Ordinal);
    readonly string source = "";

    public ConfigValues() { }

    ConfigValues(string path, Dictionary<string, string> values) { source = path; this.values = values; }

    public static ConfigValues Load(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "config file not found");
        string text = File.ReadAllText(path);
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        try
        {
            if (path.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.ValueKind != JsonValueKind.Object) throw new DataFormatException(path, "a config file must hold one JSON object");
                foreach (var p in doc.RootElement.EnumerateObject())
                    values[p.Name] = p.Value.ValueKind switch
                    {
                        JsonValueKind.String => p.Value.GetString()!,
                        JsonValueKind.Array => string.Join(",", p.Value.EnumerateArray().Select(e => e.ToString())),
                        _ => p.Value.GetRawText(),
                    };
            }
            else
            {
                var yaml = new YamlStream();
                yaml.Load(new StringReader(text));
                if (yaml.Documents.Count == 0) return new ConfigValues(path, values);
                if (yaml.Documents[0].RootNode is not YamlMappingNode map) throw new DataFormatException(path, "a config file must hold one YAML mapping");
                foreach (var (key, value) in map.Children)
                    values[((YamlScalarNode)key).Value ?? ""] = value switch
                    {
                        YamlScalarNode scalar => scalar.Value ?? "",
                        YamlSequenceNode seq => string.Join(",", seq.Children.Select(c => ((YamlScalarNode)c).Value)),
                        _ => throw new DataFormatException(path, $"'{key}' must be a value or a list"),
                    };
            }
        }
        catch (JsonException e) { throw new DataFormatException(path, $"invalid JSON: {e.Message}", e); }
        catch (YamlDotNet.Core.YamlException e) { throw new DataFormatException(path, $"invalid YAML: {e.Message}", e); }
        catch (InvalidCastException e) { throw new DataFormatException(path, "config keys and values must be plain scalars", e); }
        var unknown = values.Keys.FirstOrDefault(k => !Known.Contains(k));
        if (unknown is not null) throw new DataFormatException(path, $"unknown option '{unknown}'; known: {string.Join(", ", Known.Order())}");
        return new ConfigValues(path, values);
    }

    public string? String(string key) => values.GetValueOrDefault(key);
    public int? Int(string key) => Parse(key, v => int.Parse(v, CultureInfo.InvariantCulture));
    public long? Long(string key) => Parse(key, v => long.Parse(v, CultureInfo.InvariantCulture));
    public double? Double(string key) => Parse(key, v => double.Parse(v, CultureInfo.InvariantCulture));
    public bool? Bool(string key) => Parse(key, v => bool.Parse(v));

    T? Parse<T>(string key, Func<string, T> parse) where T : struct
    {
        if (!values.TryGetValue(key, out var text)) return null;
        try { return parse(text); }
        catch (FormatException) { throw new DataFormatException(source, $"'{key}' has an invalid value '{text}'"); }
        catch (OverflowException) { throw new DataFormatException(source, $"'{key}' is out of range: '{text}'"); }
    }
}
