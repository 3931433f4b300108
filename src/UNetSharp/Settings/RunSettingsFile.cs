using System.Text.Json;
using System.Text.Json.Nodes;
using UNetSharp.IO;

namespace UNetSharp.Settings;

/// <summary>
/// A run's config.json: <see cref="RunSettings"/> as written (version 2, nested by stage) and read back, strictly (an
/// unknown key is refused: a typo must not fall back to a default; a missing one takes its default, so folders written
/// before a setting existed still load). A file without "version" is version 1, the flat object of earlier releases
/// (no_cgm, no_deep_supervision), read through the same keys.
/// </summary>
public static class RunSettingsFile
{
    public static string ToJson(RunSettings settings) => ProjectJson.Serialize(settings);

    public static void Save(RunSettings settings, string runFolder) => AtomicFile.WriteAllText(new RunFolder(runFolder).Config, ToJson(settings));

    /// <summary>Reads RUN/config.json of either version.</summary>
    public static RunSettings Load(string runFolder)
    {
        string path = new RunFolder(runFolder).Config;
        if (!File.Exists(path)) throw new DataFormatException(path, "not found: the folder holds no run configuration");
        try
        {
            var node = JsonNode.Parse(File.ReadAllText(path)) as JsonObject ?? throw new DataFormatException(path, "must hold one JSON object");
            return Parse(node, path);
        }
        catch (JsonException e) { throw new DataFormatException(path, $"invalid run configuration: {e.Message}", e); }
    }

    /// <summary>Settings of either version from their JSON object (config.json, or the copy an experiment's record holds); errors name <paramref name="path"/>.</summary>
    public static RunSettings Parse(JsonObject node, string path)
    {
        try
        {
            if (!node.ContainsKey("version")) return ReadVersion1(path, node);
            if (node["version"]?.GetValueKind() != JsonValueKind.Number || node["version"]!.GetValue<int>() != RunSettings.CurrentVersion)
                throw new DataFormatException(path, $"'version' {node["version"]?.ToJsonString()} is not a settings version this program reads (1 or {RunSettings.CurrentVersion})");
            RenameAliases(node);
            foreach (var (key, value) in node)
            {
                if (key == "version") continue;
                if (SettingKeys.Stages.Contains(key))
                {
                    if (value is not JsonObject stage) throw new DataFormatException(path, $"'{key}' must be an object of settings");
                    var unknown = stage.Select(p => p.Key).Where(k => SettingKeys.Find(k)?.Stage != key).ToList();
                    if (unknown.Count > 0) throw new DataFormatException(path, $"unknown setting(s) {string.Join(", ", unknown.Select(k => $"{key}.{k}"))}");
                }
                else if (SettingKeys.Find(key)?.Stage != "") throw new DataFormatException(path, $"unknown setting(s) {key}");
            }
            return node.Deserialize<RunSettings>(ProjectJson.Options) ?? throw new DataFormatException(path, "empty (null)");
        }
        catch (JsonException e) { throw new DataFormatException(path, $"invalid run configuration: {e.Message}", e); }
        catch (InvalidOperationException e) { throw new DataFormatException(path, $"invalid run configuration: {e.Message}", e); }
    }

    /// <summary>A stage's former keys (<see cref="SettingKeys.Aliases"/>: validation.depth_tolerance 0.005) as the setting they became
    /// (validation.depth_rule "tolerance:0.005"), unless that is written too. Run folders from before the rename load unchanged.</summary>
    static void RenameAliases(JsonObject node)
    {
        foreach (var stage in node.Select(p => p.Value).OfType<JsonObject>().ToList())
            foreach (var (old, key) in SettingKeys.Aliases)
            {
                if (!stage.TryGetPropertyValue(old, out var value)) continue;
                stage.Remove(old);
                if (stage.ContainsKey(key) || value is null) continue;
                var setting = SettingKeys.Find(key)!;
                stage[key] = SettingText.Parse(setting, value is JsonValue v && v.TryGetValue(out string? text) ? text : value.ToJsonString(), $"'{old}'");
            }
    }

    /// <summary>Version 1: one flat object, keys as today's settings' (no_cgm and no_deep_supervision negated).</summary>
    static RunSettings ReadVersion1(string path, JsonObject node)
    {
        var unknown = node.Select(p => p.Key).Where(k => !SettingKeys.Known.Contains(k)).ToList();
        if (unknown.Count > 0) throw new DataFormatException(path, $"unknown setting(s) {string.Join(", ", unknown)}");
        var pairs = node.Select(p => (p.Key, p.Value switch
        {
            null => null,
            JsonArray list => string.Join(",", list.Select(e => e is JsonValue v && v.TryGetValue(out string? s) ? s : e?.ToJsonString())),
            JsonValue v when v.TryGetValue(out string? s) => s,
            var v => v.ToJsonString(),
        }));
        var values = SettingValues.FromPairs(path, pairs);
        // the flat file stored every setting: a seed never implied its data seed there
        var settings = values.ApplyTo(RunSettings.Default);
        return values.Text("data_seed") is null ? settings with { Dataset = settings.Dataset with { DataSeed = RunSettings.Default.Dataset.DataSeed } } : settings;
    }

    /// <summary>Each setting's value as config.json writes it, by key (for comparing two runs' settings key by key).</summary>
    public static IReadOnlyDictionary<string, string> Values(RunSettings settings)
    {
        var node = JsonSerializer.SerializeToNode(settings, ProjectJson.Compact)!.AsObject();
        return SettingKeys.All.ToDictionary(k => k.Key, k =>
        {
            var value = k.Stage.Length == 0 ? node[k.Key] : node[k.Stage]![k.Key];
            return value is null ? "null" : value is JsonValue v && v.TryGetValue(out string? text) ? text : value.ToJsonString(ProjectJson.Compact);
        });
    }

    /// <summary>Settings a resumed run may change: its length (more epochs or iterations), threads, patience, where its data and folder now are,
    /// which cross-validation fold to train, and the choices made after training (depth rule, post-processing of the all fold).</summary>
    public static IReadOnlySet<string> ChangeableOnResume { get; } = new HashSet<string> { "epochs", "iterations", "threads", "patience", "data", "out", "fold", "depth_rule", "postprocessing" };

    /// <summary>
    /// Key-by-key comparison of a resume request with the saved run: changes a resumed run may make (more epochs, other
    /// threads...) and conflicts (any other setting, or fewer epochs). Paths compare as full paths.
    /// </summary>
    public static (IReadOnlyList<SettingChange> Allowed, IReadOnlyList<SettingChange> Conflicts) CompareForResume(RunSettings saved, RunSettings requested)
    {
        var before = Values(saved);
        var after = Values(requested);
        var allowed = new List<SettingChange>();
        var conflicts = new List<SettingChange>();
        foreach (var key in SettingKeys.All.Select(k => k.Key))
        {
            string a = before[key], b = after[key];
            if (a == b || (key is "data" or "out" && Path.GetFullPath(a) == Path.GetFullPath(b))) continue;
            var change = new SettingChange(key, a, b);
            bool longer = key switch
            {
                "epochs" => requested.Optimisation.Epochs > saved.Optimisation.Epochs,
                "iterations" => requested.Optimisation.Iterations is long n && (saved.Optimisation.Iterations is null || n > saved.Optimisation.Iterations),
                _ => true,
            };
            (ChangeableOnResume.Contains(key) && longer ? allowed : conflicts).Add(change);
        }
        return (allowed, conflicts);
    }
}

/// <summary>A setting whose value differs between a saved run (config.json) and a request to resume it.</summary>
public sealed record SettingChange(string Key, string Saved, string Requested);
