using System.Globalization;
using UNetSharp.Experiments;
using UNetSharp.Pipeline;
using YamlDotNet.RepresentationModel;
using UNetSharp.Settings;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// exp.yaml (or the same as JSON, which YAML reads): the experiment's keys, each data set, and training settings with the
/// names of train's config file, shared ('settings') or per data set (a data set's own 'settings' win):
/// <code>
/// out: runs/exp
/// architectures: [unet, unet++, unet3+, unet#]
/// seeds: [1, 2, 3]
/// iterations: 120            # the equal step budget of every run (or time_budget: 10m, wall clock, once measured per run)
/// threads: 1
/// settings: { widths: [8, 16, 32, 64, 128], patch: 256x256, batch: 4, lr: 0.003 }
/// datasets:
///   - { name: isbi, data: ../shared/data/isbi2012-em }
///   - { name: dsb, data: ../shared/data/dsb2018/stage1_train, paper_protocol: true, settings: { gray: true } }
/// </code>
/// An unknown key is refused naming it and the nearest known one; architecture, seed, budget, data and run folder are the
/// experiment's own keys and refused inside 'settings'. Relative paths are relative to the working folder, as for train.
/// </summary>
public static class ExperimentConfigFile
{
    static readonly string[] TopKeys = ["out", "architectures", "seeds", "iterations", "time_budget", "threads", "depths", "reference", "settings", "datasets"];
    static readonly string[] DatasetKeys = ["name", "data", "paper_protocol", "settings"];
    static readonly Dictionary<string, string> OwnedByExperiment = new()
    {
        ["arch"] = "architectures", ["seed"] = "seeds", ["iterations"] = "iterations", ["time_budget"] = "time_budget", ["out"] = "out", ["data"] = "datasets[].data",
    };

    public static ExperimentSpec Load(string path, string? outOverride = null, int? threadsOverride = null)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "experiment file not found");
        YamlMappingNode root;
        try
        {
            var yaml = new YamlStream();
            yaml.Load(new StringReader(File.ReadAllText(path)));
            root = yaml.Documents.Count > 0 && yaml.Documents[0].RootNode is YamlMappingNode m ? m
                : throw new DataFormatException(path, "an experiment file must hold one mapping (out, architectures, seeds, iterations, datasets, ...)");
        }
        catch (YamlDotNet.Core.YamlException e) { throw new DataFormatException(path, $"invalid YAML: {e.Message}", e); }

        var top = Map(path, root, TopKeys, "");
        string output = outOverride ?? Scalar(path, top, "out") ?? throw new DataFormatException(path, "'out' is missing (or pass --out): the experiment's output folder");
        var shared = SettingsPairs(path, top.GetValueOrDefault("settings"), "settings.");
        var datasets = top.GetValueOrDefault("datasets") is YamlSequenceNode seq && seq.Children.Count > 0 ? seq.Children
            : throw new DataFormatException(path, "'datasets' must list at least one data set (name, data, optional settings and paper_protocol)");
        var list = new List<ExperimentDataset>();
        for (int i = 0; i < datasets.Count; i++)
        {
            string at = $"datasets[{i}].";
            if (datasets[i] is not YamlMappingNode dm) throw new DataFormatException(path, $"'{at.TrimEnd('.')}' must be a mapping with name and data");
            var d = Map(path, dm, DatasetKeys, at);
            string name = Scalar(path, d, "name", at) ?? throw new DataFormatException(path, $"'{at}name' is missing");
            string data = Scalar(path, d, "data", at) ?? throw new DataFormatException(path, $"'{at}data' is missing (the data set folder)");
            var own = SettingsPairs(path, d.GetValueOrDefault("settings"), $"{at}settings.");
            // the data set's own settings win over the shared ones, key by key
            var merged = shared.Where(p => !own.Any(o => SettingKeys.Normalize(o.Key) == SettingKeys.Normalize(p.Key))).Concat(own).ToList();
            var settings = SettingValues.FromPairs(path, merged).ApplyTo(RunSettings.Default) with { Data = Path.GetFullPath(data) };
            try { settings.Validate(CrossValidation.DefaultFolds); }
            catch (ConfigurationException e) { throw new DataFormatException(path, $"data set '{name}': {e.Message}"); }
            list.Add(new ExperimentDataset(name, settings) { PaperProtocol = Bool(path, d, "paper_protocol", at) ?? false });
        }
        return new ExperimentSpec
        {
            OutputDirectory = Path.GetFullPath(output),
            Datasets = list,
            Architectures = List(path, top, "architectures") ?? ["unet", "unet++", "unet3+", "unet#"],
            Seeds = (List(path, top, "seeds") ?? ["1"]).Select(s => Number(path, "seeds", s, long.Parse)).ToList(),
            Iterations = Scalar(path, top, "iterations") is { } it ? Number(path, "iterations", it, long.Parse)
                : Scalar(path, top, "time_budget") is null ? throw new DataFormatException(path, "'iterations' is missing: the equal step budget of every run (or 'time_budget', wall clock)") : null,
            TimeBudgetSeconds = Scalar(path, top, "time_budget") is { } budget ? TrainCommand.ParseDuration(budget, "'time_budget'") : null,
            Threads = threadsOverride ?? (Scalar(path, top, "threads") is { } t ? Number(path, "threads", t, int.Parse) : null),
            Depths = List(path, top, "depths")?.Select(s => Number(path, "depths", s, int.Parse)).ToList(),
            Reference = Scalar(path, top, "reference") ?? "unet#",
        };
    }

    /// <summary>The mapping's entries by key, refusing keys not in <paramref name="known"/> (with the nearest) and repeats.</summary>
    static Dictionary<string, YamlNode> Map(string path, YamlMappingNode map, string[] known, string at)
    {
        var result = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (k, v) in map.Children)
        {
            string key = SettingKeys.Normalize((k as YamlScalarNode)?.Value ?? "");
            if (!known.Contains(key)) throw new DataFormatException(path, $"unknown key '{at}{key}'{SettingKeys.DidYouMean(key, known)}");
            if (!result.TryAdd(key, v)) throw new DataFormatException(path, $"'{at}{key}' is set twice");
        }
        return result;
    }

    static string? Scalar(string path, Dictionary<string, YamlNode> map, string key, string at = "") => map.GetValueOrDefault(key) switch
    {
        null => null,
        YamlScalarNode s => s.Value is null or "" or "~" or "null" ? null : s.Value,
        _ => throw new DataFormatException(path, $"'{at}{key}' must be a single value"),
    };

    static bool? Bool(string path, Dictionary<string, YamlNode> map, string key, string at) =>
        Scalar(path, map, key, at) is { } v ? (bool.TryParse(v, out bool b) ? b : throw new DataFormatException(path, $"'{at}{key}' must be true or false, got '{v}'")) : null;

    /// <summary>A list given as a YAML sequence or as one comma-separated value.</summary>
    static List<string>? List(string path, Dictionary<string, YamlNode> map, string key) => map.GetValueOrDefault(key) switch
    {
        null => null,
        YamlSequenceNode s => s.Children.Select(c => (c as YamlScalarNode)?.Value ?? throw new DataFormatException(path, $"'{key}' must list plain values")).ToList(),
        YamlScalarNode s => s.Value?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList(),
        _ => throw new DataFormatException(path, $"'{key}' must be a list"),
    };

    static T Number<T>(string path, string key, string text, Func<string, IFormatProvider, T> parse)
    {
        try { return parse(text.Trim(), CultureInfo.InvariantCulture); }
        catch (Exception e) when (e is FormatException or OverflowException) { throw new DataFormatException(path, $"'{key}' has an invalid value '{text}'"); }
    }

    /// <summary>A 'settings' mapping as train-config pairs; the experiment's own keys are refused there.</summary>
    static List<(string Key, string? Value)> SettingsPairs(string path, YamlNode? node, string at)
    {
        if (node is null) return [];
        if (node is not YamlMappingNode map) throw new DataFormatException(path, $"'{at.TrimEnd('.')}' must be a mapping of train settings");
        var pairs = new List<(string, string?)>();
        foreach (var (k, v) in map.Children)
        {
            string key = (k as YamlScalarNode)?.Value ?? "";
            if (OwnedByExperiment.TryGetValue(SettingKeys.Normalize(key), out var owner))
                throw new DataFormatException(path, $"'{at}{key}' is set by the experiment: use '{owner}'");
            if (!SettingKeys.Known.Contains(SettingKeys.Normalize(key)))
                throw new DataFormatException(path, $"unknown key '{at}{key}'{SettingKeys.DidYouMean(SettingKeys.Normalize(key))}");
            pairs.Add((key, v switch
            {
                YamlScalarNode s => s.Value is null or "" or "~" or "null" ? null : s.Value,
                YamlSequenceNode s => string.Join(",", s.Children.Select(c => (c as YamlScalarNode)?.Value)),
                _ => throw new DataFormatException(path, $"'{at}{key}' must be a value or a list"),
            }));
        }
        return pairs;
    }
}
