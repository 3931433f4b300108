using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using UNetSharp.Data.Layouts;
using UNetSharp.Metrics;
using UNetSharp.IO;
using UNetSharp.Settings;
using UNetSharp.Planning;
using UNetSharp.Training;

namespace UNetSharp.Pipeline;

/// <summary>What a cross-validation call did: the folds it trained (or found finished) and, once every fold is done, the summary.</summary>
public sealed record CrossValidationResult(string ParentDirectory, int Folds, IReadOnlyList<int> FoldsRun, IReadOnlyList<int> FoldsDone,
    IReadOnlyDictionary<int, TrainRunResult> Results, CrossValidationSummary? Summary);

/// <summary>Cross-validation means per depth and class, the depth and post-processing chosen from them, and where they were written.</summary>
public sealed record CrossValidationSummary(int ChosenDepth, IReadOnlyDictionary<int, IReadOnlyList<ClassStatistics>> Depths,
    PostProcessingPlan PostProcessing, IReadOnlyList<ClassChoice> PostProcessingClasses, string JsonPath, string CsvPath)
{
    /// <summary>The depth rule and every depth's mean Dice and speed over the folds.</summary>
    public DepthChoice? DepthChoice { get; init; }
}

/// <summary>What a finished cross-validation decides (<see cref="CrossValidation.Decide"/>): the depth from the means over all folds, the
/// per-class statistics it came from, and the post-processing at that depth.</summary>
public sealed record CrossValidationDecision(DepthChoice Depth, IReadOnlyDictionary<int, IReadOnlyList<ClassStatistics>> Depths,
    PostProcessingPlan PostProcessing, IReadOnlyList<ClassChoice> PostProcessingClasses, int Cases);

/// <summary>Mean and sample standard deviation of one class's Dice over every fold's validation cases at one depth.</summary>
public sealed record ClassStatistics(int Class, int Cases, double Mean, double StandardDeviation);

/// <summary>
/// k-fold cross-validation as nnU-Net runs it: splits.json (splits_final.json format, all folds) written once in the
/// parent folder and reused by every later call, one complete run per fold in PARENT/fold_k (config.json, plan.json,
/// checkpoints, metrics.json; validated on its fold), and once every fold is finished a summary over all folds'
/// validation cases (cv_summary.json / .csv: Dice mean ± sd per class and depth), the prediction depth chosen from it,
/// and the post-processing chosen from it (<see cref="PostProcessingSelection"/>), both written into every fold's inference.json (its plan.json stays as planned).
/// A call for one fold (<see cref="Settings.ValidationStage.Fold"/>) trains only that one; a finished fold is not trained again,
/// an unfinished one is resumed.
/// </summary>
public static class CrossValidation
{
    public const int DefaultFolds = 5;
    public const string SummaryJsonName = RunFolder.CrossValidationJsonName, SummaryCsvName = RunFolder.CrossValidationCsvName, CasesFileName = RunFolder.CrossValidationCasesName;

    /// <summary>Prefix of the fold run folders (fold_0, fold_1, ...); prediction finds a cross-validation's models by it.</summary>
    public const string FoldFolderPrefix = RunFolder.FoldPrefix;

    public static string FoldFolder(string parent, int fold) => Path.Combine(parent, FoldFolderName(fold));

    static string FoldFolderName(int fold) => FoldFolderPrefix + fold.ToString(CultureInfo.InvariantCulture);

    /// <summary>The options ask for folds and do not point at one fold's own run folder (that one trains as a single run).</summary>
    public static bool Applies(TrainRunOptions options) =>
        !options.Settings.Validation.AllFold() && (options.Settings.Validation.Folds is not null || options.Settings.Validation.Fold is not null) && FoldSplitOf(options) is null;

    /// <summary>For a fold's own run folder (PARENT/fold_k beside PARENT/splits.json): its split from the parent; else null.</summary>
    public static RunSplit? FoldSplitOf(TrainRunOptions options)
    {
        if (options.Settings.Validation.FoldIndex() is not int k) return null;
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(options.RunDirectory));
        string? parent = Path.GetDirectoryName(full);
        if (parent is null || Path.GetFileName(full) != FoldFolderName(k) || !File.Exists(Path.Combine(parent, RunSplit.FileName))) return null;
        var folds = RunSplit.LoadFolds(parent);
        RunSplitChecks.CheckPartition(folds, Path.Combine(parent, RunSplit.FileName));
        return k < folds.Count ? folds[k] : throw new DataFormatException(Path.Combine(parent, RunSplit.FileName), $"holds {folds.Count} folds, no fold {k}");
    }

    public static CrossValidationResult Run(TrainRunOptions options, IProgress<EpochReport>? epochs = null, CancellationToken cancellation = default,
        IProgress<StepReport>? steps = null)
    {
        options.Validate();
        var log = options.Logger;
        var settings = options.Settings;
        int count = settings.Validation.Folds ?? DefaultFolds;
        string parent = options.RunDirectory;
        var data = CaseSubsetDataset.Excluding(DatasetLayouts.Open(options.DataDirectory, settings.Layout()), settings.Dataset.ExcludeCases); // a test set stays out of everything
        TrainingPreflight.CheckRunFolder(parent, options.DataDirectory);

        // the parent's settings: those of every fold; a later call (another fold, or all) must agree with them
        var configuration = settings with
        {
            Data = Path.GetFullPath(options.DataDirectory), Out = Path.GetFullPath(parent), Validation = settings.Validation with { Fold = null, Folds = count },
        };
        string configPath = Path.Combine(parent, TrainingRun.ConfigFileName);
        if (File.Exists(configPath))
        {
            var (allowed, conflicts) = RunSettingsFile.CompareForResume(RunSettingsFile.Load(parent), configuration);
            if (conflicts.FirstOrDefault() is { } c)
                throw new ConfigurationException($"{c.Key} {c.Requested} conflicts with the cross-validation's {c.Key} {c.Saved} ({configPath}); use the same settings or another folder");
            foreach (var change in allowed) log.LogInformation("cross-validation continues with {Setting} {Requested} (it had {Saved})", change.Key, change.Requested, change.Saved);
        }
        string splitPath = Path.Combine(parent, RunSplit.FileName);
        bool reuseSplits = File.Exists(splitPath);
        var folds = reuseSplits ? RunSplit.LoadFolds(parent) : RunSplit.CreateFolds(data, count, settings.Dataset.DataSeed, settings.Dataset.MaxCases);
        if (folds.Count != count)
            throw new ConfigurationException($"{splitPath} holds {folds.Count} folds, the run asks for {count}; use --folds {folds.Count} or another folder");
        RunSplitChecks.CheckPartition(folds, splitPath);
        foreach (var fold in folds) fold.Indices(data, splitPath); // every case named must exist

        Directory.CreateDirectory(parent);
        using (RunLock.Acquire(parent, warning => log.LogWarning("{Warning}", warning)))
        {
            RunSettingsFile.Save(configuration, parent);
            if (!reuseSplits) RunSplit.SaveFolds(parent, folds);
            else log.LogInformation("reusing the {Count} folds of {Splits}", count, splitPath);
        }

        var selected = settings.Validation.FoldIndex() is int only ? [only] : Enumerable.Range(0, count).ToList();
        var results = new Dictionary<int, TrainRunResult>();
        var run = new List<int>();
        foreach (int k in selected)
        {
            cancellation.ThrowIfCancellationRequested();
            string folder = FoldFolder(parent, k);
            if (IsFinished(folder))
            {
                log.LogInformation("fold {Fold} is finished ({Folder}); not trained again", k, folder);
                continue;
            }
            bool resume = File.Exists(Path.Combine(folder, TrainingRun.ConfigFileName));
            log.LogInformation("fold {Fold} of {Count}: {Train} training / {Validation} validation cases -> {Folder}{Resumed}", k, count,
                folds[k].Train.Count, folds[k].Val.Count, folder, resume ? " (resumed)" : "");
            var foldOptions = options.With(s => s with { Out = folder, Validation = s.Validation with { Folds = count, Fold = k } }) with { Resume = resume };
            results[k] = TrainingRun.RunOne(foldOptions, folds[k], epochs, cancellation, steps);
            run.Add(k);
        }
        var done = Enumerable.Range(0, count).Where(k => IsFinished(FoldFolder(parent, k))).ToList();
        CrossValidationSummary? summary = null;
        if (done.Count == count) summary = Summarize(parent, count, log, settings.DepthRule(), settings.Validation.Postprocessing);
        else log.LogInformation("{Done} of {Count} folds finished; the cross-validation summary is written once all are", done.Count, count);
        return new CrossValidationResult(parent, count, run, done, results, summary);
    }

    internal static bool IsFinished(string foldFolder) =>
        File.Exists(Path.Combine(foldFolder, TrainingRun.MetricsFileName)) && File.Exists(Path.Combine(foldFolder, CasesFileName));

    /// <summary>
    /// What a finished cross-validation decides, read from every fold's cv_cases.csv and metrics.json: per depth and class
    /// the mean ± sd Dice pooled over all folds' validation cases, per depth the mean Dice (over classes) and the mean
    /// measured time per case over the folds, the depth <paramref name="rule"/> picks from those means (not from one
    /// split), and the post-processing chosen at that depth. Nothing is written.
    /// </summary>
    public static CrossValidationDecision Decide(string parent, int count, DepthRule rule)
    {
        var rows = Enumerable.Range(0, count).SelectMany(k => PostProcessingSelection.ReadCsv(Path.Combine(FoldFolder(parent, k), CasesFileName))).ToList();
        var depths = rows.GroupBy(r => r.Depth).OrderBy(g => g.Key).ToDictionary(g => g.Key, g => (IReadOnlyList<ClassStatistics>)g
            .Where(r => !double.IsNaN(r.Dice)).GroupBy(r => r.Class).OrderBy(c => c.Key)
            .Select(c => Statistics(c.Key, c.Select(r => r.Dice).ToList())).ToList());
        double MeanOf(int depth) => depths[depth].Count == 0 ? double.NaN : depths[depth].Average(c => c.Mean);
        var seconds = Enumerable.Range(0, count).Select(k => FoldSeconds(FoldFolder(parent, k))).ToList();
        var costs = depths.Keys.Select(d => new DepthMeasurement(d, MeanOf(d), seconds.Select(f => f.GetValueOrDefault(d, double.NaN)).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average())).ToList();
        int chosen = rule.Choose(costs);
        int cases = rows.Select(r => (r.Fold, r.Case)).Distinct().Count();
        var (post, classes) = PostProcessingSelection.Choose(rows.Where(r => r.Depth == chosen), $"{count}-fold cross-validation, {cases} cases, depth L{chosen}");
        return new CrossValidationDecision(new DepthChoice(rule, rule.Describe("cross-validation"), costs, chosen), depths, post, classes, cases);
    }

    /// <summary>A fold's measured prediction time per case at each depth (its metrics.json).</summary>
    static Dictionary<int, double> FoldSeconds(string foldFolder)
    {
        string path = Path.Combine(foldFolder, TrainingRun.MetricsFileName);
        var result = new Dictionary<int, double>();
        if (!File.Exists(path) || JsonNode.Parse(File.ReadAllText(path))?["depths"] is not JsonObject depths) return result;
        foreach (var (name, node) in depths)
            if (name.StartsWith('L') && int.TryParse(name[1..], NumberStyles.None, CultureInfo.InvariantCulture, out int d) && node?["seconds_per_case"] is JsonValue v)
                result[d] = v.GetValue<double>();
        return result;
    }

    /// <summary>
    /// <see cref="Decide"/>, then writes cv_summary.json and cv_summary.csv and puts the depth and (unless
    /// <paramref name="postprocessing"/> is off) the post-processing into each fold's inference.json.
    /// </summary>
    public static CrossValidationSummary Summarize(string parent, int count, ILogger log, DepthRule? rule = null, bool postprocessing = true)
    {
        var decision = Decide(parent, count, rule ?? DepthRule.Default);
        var (choice, depths, post, classes, cases) = (decision.Depth, decision.Depths, decision.PostProcessing, decision.PostProcessingClasses, decision.Cases);
        int chosen = choice.Chosen;
        double MeanOf(int depth) => choice.Costs.First(c => c.Depth == depth).MeanDice;

        for (int k = 0; k < count; k++) InferenceChoices.Update(FoldFolder(parent, k), c => c with { ChosenDepth = chosen, PostProcessing = postprocessing ? post : null });
        var json = new JsonObject
        {
            ["folds"] = count,
            ["cases"] = cases,
            ["chosen_depth"] = chosen,
            ["depth_rule"] = choice.Description,
            ["depth_table"] = choice.Table(),
            ["depths"] = new JsonObject(depths.Select(d => new KeyValuePair<string, JsonNode?>($"L{d.Key}", new JsonObject
            {
                ["mean_dice"] = Round(MeanOf(d.Key)),
                ["classes"] = new JsonObject(d.Value.Select(c => new KeyValuePair<string, JsonNode?>(c.Class.ToString(CultureInfo.InvariantCulture),
                    new JsonObject { ["cases"] = c.Cases, ["dice_mean"] = Round(c.Mean), ["dice_sd"] = Round(c.StandardDeviation) }))),
            }))),
            ["postprocessing"] = new JsonObject
            {
                ["rule"] = "per class: keep-largest on only if it raises the mean CV Dice; then hole filling only if it raises it further",
                ["keep_largest"] = new JsonArray(post.KeepLargest.Select(c => (JsonNode)c).ToArray()),
                ["fill_holes"] = new JsonArray(post.FillHoles.Select(c => (JsonNode)c).ToArray()),
                ["classes"] = new JsonObject(classes.Select(c => new KeyValuePair<string, JsonNode?>(c.Class.ToString(CultureInfo.InvariantCulture), new JsonObject
                {
                    ["dice"] = Round(c.Raw), ["dice_keep_largest"] = Round(c.KeepLargest), ["dice_fill_holes"] = Round(c.FillHoles),
                    ["keep_largest"] = c.KeepLargestOn, ["fill_holes"] = c.FillHolesOn, ["dice_chosen"] = Round(c.Chosen),
                }))),
            },
        };
        string jsonPath = Path.Combine(parent, SummaryJsonName), csvPath = Path.Combine(parent, SummaryCsvName);
        AtomicFile.WriteAllText(jsonPath, json.ToJsonString(ProjectJson.Options));
        var csv = new StringBuilder("depth,class,cases,dice_mean,dice_sd\n");
        foreach (var (depth, stats) in depths)
            foreach (var c in stats) csv.Append(CultureInfo.InvariantCulture, $"{depth},{c.Class},{c.Cases},{c.Mean:R},{c.StandardDeviation:R}\n");
        AtomicFile.WriteAllText(csvPath, csv.ToString());
        log.LogInformation("cross-validation over {Cases} cases: depth L{Depth} chosen (mean Dice {Dice:F4}); keep-largest for classes [{Keep}], hole filling for [{Fill}]",
            cases, chosen, MeanOf(chosen), string.Join(",", post.KeepLargest), string.Join(",", post.FillHoles));
        return new CrossValidationSummary(chosen, depths, post, classes, jsonPath, csvPath) { DepthChoice = choice };
    }

    static ClassStatistics Statistics(int cls, IReadOnlyList<double> values)
    {
        var s = MeanSd.Of(values); // the values are finite: cases without a Dice were left out above
        return new ClassStatistics(cls, s.N, s.Mean, s.N < 2 ? 0 : s.Sd); // one case: its sd is written as 0
    }

    static JsonNode? Round(double v) => double.IsNaN(v) ? null : Math.Round(v, 5);
}
