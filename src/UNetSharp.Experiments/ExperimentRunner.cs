using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using UNetSharp.IO;
using UNetSharp.Metrics;
using UNetSharp.Pipeline;
using UNetSharp.Training;
using UNetSharp.Settings;

namespace UNetSharp.Experiments;

/// <summary>What happened to one run when an experiment ran: trained now (fresh or resumed) or already finished.</summary>
public enum RunOutcome { Trained, Resumed, AlreadyDone }

/// <summary>
/// Runs an <see cref="ExperimentSpec"/>: each run through <see cref="TrainingRun"/> (one run folder each), then results.csv,
/// results.json and summary.json / summary.md in the output folder. Resumable: a run with experiment-run.json is not redone,
/// a run with a checkpoint continues from it, so an interrupted experiment goes on where it stopped. experiment.json keeps
/// the experiment's settings; running a different experiment into the same folder is refused, naming the first key that differs.
/// </summary>
public static class ExperimentRunner
{
    public const string SpecFile = "experiment.json", ResultsCsv = "results.csv", ResultsJson = "results.json";

    public static ExperimentResult Run(ExperimentSpec spec, ILogger? logger = null, CancellationToken cancellation = default,
        ICurvePlotter? curvePlotter = null, Action<RunRecord, RunOutcome>? runFinished = null,
        Func<TrainRunOptions, TrainRunResult, string?>? runReport = null)
    {
        var log = logger ?? NullLogger.Instance;
        spec.Validate();
        string specPath = Path.Combine(spec.OutputDirectory, SpecFile);
        string specJson = SpecJson(spec);
        if (File.Exists(specPath)) CheckSameExperiment(File.ReadAllText(specPath), specJson, specPath);
        foreach (var d in spec.Datasets) PathGuard.RefuseOverlap(spec.OutputDirectory, "experiment output folder", d.Settings.Data, $"data set '{d.Name}'");
        Directory.CreateDirectory(spec.OutputDirectory);
        if (!File.Exists(specPath)) AtomicFile.WriteAllText(specPath, specJson);

        var records = new List<RunRecord>();
        int total = spec.Datasets.Count * spec.Architectures.Count * spec.Seeds.Count, index = 0;
        foreach (var dataset in spec.Datasets)
            foreach (var arch in spec.Architectures)
                foreach (long seed in spec.Seeds)
                {
                    cancellation.ThrowIfCancellationRequested();
                    index++;
                    var settings = spec.SettingsFor(dataset, arch, seed);
                    string folder = settings.Out;
                    if (RunRecord.TryLoad(folder) is { } done)
                    {
                        log.LogInformation("run {Index}/{Total} {Dataset} {Arch} seed {Seed}: already finished, not redone", index, total, dataset.Name, settings.Network.Architecture, seed);
                        records.Add(done);
                        runFinished?.Invoke(done, RunOutcome.AlreadyDone);
                        continue;
                    }
                    bool resume = File.Exists(Path.Combine(folder, TrainingRun.ConfigFileName));
                    log.LogInformation("run {Index}/{Total} {Dataset} {Arch} seed {Seed}: {What} ({Budget}) in {Folder}", index, total, dataset.Name,
                        settings.Network.Architecture, seed, resume ? "resuming" : "training", spec.BudgetText, folder);
                    var options = new TrainRunOptions { Settings = settings, Resume = resume, Logger = log, CurvePlotter = curvePlotter };
                    var result = TrainingRun.Run(options, cancellation: cancellation);
                    runReport?.Invoke(options, result);
                    // the steps the run took: the budget, or under a time budget the steps it fixed (saved in its config.json)
                    long steps = spec.Iterations ?? RunSettingsFile.Load(folder).Optimisation.Iterations ?? 0;
                    var record = RunRecord.From(dataset.Name, settings.Network.Architecture, seed, steps, result, spec.Depths,
                        depth => dataset.PaperProtocol ? PaperIou(depth) : null);
                    record.Save(folder);
                    records.Add(record);
                    runFinished?.Invoke(record, resume ? RunOutcome.Resumed : RunOutcome.Trained);
                }
        var experiment = new ExperimentResult(spec, records);
        experiment.Write(spec.OutputDirectory);
        return experiment;
    }

    /// <summary>The paper's pooled batch IoU of a depth's predictions (2D cases; volumes are not part of that protocol).</summary>
    static double? PaperIou(DepthResult depth)
    {
        var cases = depth.Predictions.Where(p => p.Case.Dimensions == 2 && p.Case.Label is not null).ToList();
        if (cases.Count == 0) return null;
        return PaperProtocol.Score(cases.Select(p => (p.Prediction, p.Case.Label!, p.Case.Shape[^2], p.Case.Shape[^1])).ToList());
    }

    /// <summary>The settings that define the comparison (threads left out: they change speed, not results).</summary>
    static string SpecJson(ExperimentSpec spec) => ProjectJson.Serialize(new
    {
        spec.Architectures, spec.Seeds, spec.Iterations, spec.TimeBudgetSeconds, spec.Depths, spec.Reference,
        Datasets = spec.Datasets.Select(d => new { d.Name, d.PaperProtocol, Settings = d.Settings with { Optimisation = d.Settings.Optimisation with { Threads = null }, Out = "" } }),
    });

    /// <summary>Refuses a saved experiment (or benchmark) whose settings differ from the requested ones, naming the first difference.</summary>
    public static void CheckSameExperiment(string saved, string requested, string path)
    {
        if (saved == requested) return;
        var a = UpgradeSettings(System.Text.Json.Nodes.JsonNode.Parse(saved)!, path);
        var b = System.Text.Json.Nodes.JsonNode.Parse(requested)!;
        if (FirstDifference(a, b, "") is not { } differing) return; // the same values, written differently (an upgraded record)
        throw new ConfigurationException($"{path} holds a different experiment ('{differing}' differs); finish it with its own settings or choose another output folder");
    }

    /// <summary>Run settings an older release saved flat (version 1) rewritten as today's, so an experiment started before
    /// still continues; every 'settings' object of the record is one.</summary>
    static System.Text.Json.Nodes.JsonNode UpgradeSettings(System.Text.Json.Nodes.JsonNode node, string path)
    {
        if (node is System.Text.Json.Nodes.JsonArray array)
            foreach (var item in array) if (item is not null) UpgradeSettings(item, path);
        if (node is not System.Text.Json.Nodes.JsonObject obj) return node;
        foreach (var (key, value) in obj.ToList())
        {
            if (key == "settings" && value is System.Text.Json.Nodes.JsonObject settings && !settings.ContainsKey("version"))
                obj[key] = System.Text.Json.JsonSerializer.SerializeToNode(RunSettingsFile.Parse(settings, path), ProjectJson.Options);
            else if (value is not null) UpgradeSettings(value, path);
        }
        return node;
    }

    /// <summary>The path ("datasets[0].settings.lr") of the first value that differs between two JSON trees.</summary>
    static string? FirstDifference(System.Text.Json.Nodes.JsonNode? a, System.Text.Json.Nodes.JsonNode? b, string at)
    {
        if (a is System.Text.Json.Nodes.JsonObject oa && b is System.Text.Json.Nodes.JsonObject ob)
        {
            foreach (var key in oa.Select(p => p.Key).Union(ob.Select(p => p.Key)))
                if (FirstDifference(oa[key], ob[key], at.Length == 0 ? key : $"{at}.{key}") is { } d) return d;
            return null;
        }
        if (a is System.Text.Json.Nodes.JsonArray xa && b is System.Text.Json.Nodes.JsonArray xb && xa.Count == xb.Count)
        {
            for (int i = 0; i < xa.Count; i++)
                if (FirstDifference(xa[i], xb[i], $"{at}[{i}]") is { } d) return d;
            return null;
        }
        return System.Text.Json.Nodes.JsonNode.DeepEquals(a, b) ? null : at;
    }
}
