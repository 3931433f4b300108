using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using UNetSharp.IO;

namespace UNetSharp.Settings;

/// <summary>How a setting's text is read beyond its type: a memory size ("6GiB"), a duration ("1h30m") or a patch size ("48x64x48").</summary>
public enum SettingTextKind { Plain, Bytes, Duration, Size, DepthRule }

[AttributeUsage(AttributeTargets.Property)]
public sealed class SettingTextAttribute(SettingTextKind kind) : Attribute
{
    public SettingTextKind Kind { get; } = kind;
}

/// <summary>One setting: its key (the snake_case leaf name), the stage holding it ("" for data/out/version) and its type.</summary>
public sealed record SettingKey(string Key, string Stage, Type Type, SettingTextKind Text)
{
    /// <summary>"optimisation.epochs", or "data" for a top-level one.</summary>
    public string Path => Stage.Length == 0 ? Key : $"{Stage}.{Key}";
}

/// <summary>
/// The settings of <see cref="RunSettings"/> by key, read off the record itself (its JSON names), so a field added to the
/// record is a setting of config files and config.json with nothing else to edit. Keys are unique across stages.
/// </summary>
public static class SettingKeys
{
    /// <summary>Every setting in config.json order (the version is not a setting).</summary>
    public static IReadOnlyList<SettingKey> All { get; } = Build();

    static readonly Dictionary<string, SettingKey> ByKey = All.ToDictionary(k => k.Key, StringComparer.Ordinal);

    /// <summary>The stages' JSON names ("dataset", "plan", ...).</summary>
    public static IReadOnlySet<string> Stages { get; } = All.Select(k => k.Stage).Where(s => s.Length > 0).ToHashSet(StringComparer.Ordinal);

    /// <summary>
    /// Keys of version 1 (flat config.json, and config files written for it) that became a positive boolean: the stored
    /// value is the negation of the new setting's.
    /// </summary>
    public static IReadOnlyDictionary<string, string> NegatedAliases { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["no_cgm"] = "cgm",
        ["no_deep_supervision"] = "deep_supervision",
    };

    /// <summary>Former keys that now set another setting with the same text: depth_tolerance D is the depth rule tolerance:D
    /// (<see cref="DepthRule"/> reads a bare number so), so the old key and flag have no value of their own.</summary>
    public static IReadOnlyDictionary<string, string> Aliases { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["depth_tolerance"] = "depth_rule",
    };

    public static SettingKey? Find(string key) => ByKey.GetValueOrDefault(key);

    /// <summary>Key as stored: snake_case ("batches-per-epoch" is "batches_per_epoch").</summary>
    public static string Normalize(string key) => key.Trim().Replace('-', '_');

    /// <summary>Every key a config file may use: the settings and the version-1 aliases.</summary>
    public static IReadOnlyList<string> Known { get; } = All.Select(k => k.Key).Concat(NegatedAliases.Keys).Concat(Aliases.Keys).Order(StringComparer.Ordinal).ToArray();

    /// <summary>"; did you mean 'epochs'?" for the nearest known key (edit distance at most a third of its length), else the list.</summary>
    public static string DidYouMean(string key, IEnumerable<string>? known = null)
    {
        known ??= Known;
        var best = known.Select(k => (Key: k, Distance: Distance(key, k))).OrderBy(p => p.Distance).ThenBy(p => p.Key, StringComparer.Ordinal).First();
        return best.Distance <= Math.Max(2, best.Key.Length / 3) ? $"; did you mean '{best.Key}'?" : $"; known: {string.Join(", ", known)}";
    }

    /// <summary>Levenshtein distance.</summary>
    public static int Distance(string a, string b)
    {
        var row = Enumerable.Range(0, b.Length + 1).ToArray();
        for (int i = 1; i <= a.Length; i++)
        {
            int diagonal = row[0];
            row[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int above = row[j];
                row[j] = Math.Min(Math.Min(row[j] + 1, row[j - 1] + 1), diagonal + (a[i - 1] == b[j - 1] ? 0 : 1));
                diagonal = above;
            }
        }
        return row[b.Length];
    }

    static List<SettingKey> Build()
    {
        var keys = new List<SettingKey>();
        foreach (var top in Properties(typeof(RunSettings)))
        {
            if (top.Name == "version") continue;
            var type = top.PropertyType;
            if (type.IsClass && type.Namespace == typeof(RunSettings).Namespace)
                keys.AddRange(Properties(type).Select(p => Leaf(p, top.Name)));
            else keys.Add(Leaf(top, ""));
        }
        var twice = keys.GroupBy(k => k.Key).FirstOrDefault(g => g.Count() > 1);
        if (twice is not null) throw new InvalidOperationException($"setting key '{twice.Key}' is used by two stages; keys must be unique");
        return keys;
    }

    static SettingKey Leaf(JsonPropertyInfo p, string stage) => new(p.Name, stage, p.PropertyType,
        (p.AttributeProvider as PropertyInfo)?.GetCustomAttribute<SettingTextAttribute>()?.Kind ?? SettingTextKind.Plain);

    static IEnumerable<JsonPropertyInfo> Properties(Type type) => ProjectJson.Options.GetTypeInfo(type).Properties;
}
