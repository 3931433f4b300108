using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using UNetSharp.Data;
using UNetSharp.Data.Layouts;
using UNetSharp.IO;
using UNetSharp.Planning;
using UNetSharp.Settings;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;

namespace UNetSharp.Pipeline;

/// <summary>The depth and post-processing an all-fold model predicts with, and where they came from (for metrics.json and the log).</summary>
public sealed record AllFoldDecision(int ChosenDepth, PostProcessingPlan? PostProcessing, DepthChoice? Depth, string Source);

/// <summary>
/// nnU-Net's fold "all": one model trained on every case of a cross-validation (the union of its splits.json), with no
/// validation split, in PARENT/fold_all beside PARENT/fold_0..k-1. Nothing is left to validate it on, so its prediction
/// depth and post-processing are those of the finished cross-validation of the same settings in PARENT: the depth rule
/// applied to the means over all folds, the post-processing chosen at that depth. Without such a cross-validation (none,
/// unfinished, or other settings) the run is refused before anything is written, unless both choices are explicit: a set
/// network depth (predicted at in full) and no post-processing.
/// </summary>
public static class AllFold
{
    public const string FolderName = RunFolder.FoldPrefix + FoldSelection.AllText;

    /// <summary>Settings that may differ between the all fold and its cross-validation: where things are, threads, the choices
    /// made after training, and those only validation uses (the all fold has none).</summary>
    static readonly HashSet<string> MayDiffer =
        ["data", "out", "fold", "threads", "depth_rule", "postprocessing", "overlays", "surface_distances", "val_fraction", "patience", "validate_every"];

    public static string Folder(string parent) => Path.Combine(parent, FolderName);

    /// <summary>The cross-validation folder of an all-fold run: the run folder given, or its parent when it is PARENT/fold_all itself.</summary>
    public static string ParentOf(string runDirectory)
    {
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(runDirectory));
        return Path.GetFileName(full) == FolderName ? Path.GetDirectoryName(full)! : full;
    }

    /// <summary>Trains (or resumes) PARENT/fold_all; a finished one is refused (it would be trained again for nothing).</summary>
    public static TrainRunResult Run(TrainRunOptions options, IProgress<EpochReport>? epochs = null, CancellationToken cancellation = default,
        IProgress<StepReport>? steps = null)
    {
        options.Validate();
        var settings = options.Settings;
        string parent = ParentOf(options.RunDirectory), folder = Folder(parent);
        var data = CaseSubsetDataset.Excluding(DatasetLayouts.Open(options.DataDirectory, settings.Layout()), settings.Dataset.ExcludeCases);
        var (split, decision, folds) = Resolve(parent, data, settings, options.Logger);
        if (File.Exists(Path.Combine(folder, TrainingRun.MetricsFileName)))
            throw new ConfigurationException($"{folder} is finished already ({TrainingRun.MetricsFileName}): predict with it, or train it again in a new cross-validation folder");
        bool resume = File.Exists(Path.Combine(folder, TrainingRun.ConfigFileName));
        options.Logger.LogInformation("fold all: {Cases} training cases, no validation -> {Folder}{Resumed}; prediction depth L{Depth} and post-processing from {Source}",
            split.Train.Count, folder, resume ? " (resumed)" : "", decision.ChosenDepth, decision.Source);
        var allOptions = options.With(s => s with { Out = folder, Validation = s.Validation with { Folds = folds, Fold = FoldSelection.All } }) with { Resume = resume };
        return TrainingRun.RunOne(allOptions, split, epochs, cancellation, steps, decision);
    }

    /// <summary>The cases and the choices from the cross-validation in <paramref name="parent"/>; refused (before anything is written) without one.</summary>
    static (RunSplit Split, AllFoldDecision Decision, int? Folds) Resolve(string parent, SegmentationDataset data, RunSettings settings, ILogger log)
    {
        string configPath = Path.Combine(parent, TrainingRun.ConfigFileName), splitPath = Path.Combine(parent, RunSplit.FileName);
        var cv = File.Exists(configPath) && File.Exists(splitPath) ? RunSettingsFile.Load(parent) : null;
        int? folds = cv?.Validation.Folds;
        string? problem = cv is null ? $"{parent} holds no cross-validation ({TrainingRun.ConfigFileName} and {RunSplit.FileName} of train with folds)"
            : FirstDifference(cv, settings) is { } d ? $"its {d.Key} {d.Requested} differs from the cross-validation's {d.Key} {d.Saved} ({configPath})"
            : Enumerable.Range(0, folds ?? 0).FirstOrDefault(k => !CrossValidation.IsFinished(CrossValidation.FoldFolder(parent, k)), -1) is int open and >= 0
                ? $"fold {open} of the cross-validation in {parent} is not finished"
            : null;
        if (problem is not null)
        {
            if (settings.Network.Depth is not int depth || settings.Validation.Postprocessing)
                throw new ConfigurationException($"the all fold takes its prediction depth and post-processing from a finished cross-validation of the same settings, but {problem}; " +
                    $"finish one there first (train --folds K --out {parent}), or set both the network depth and no post-processing (--depth L --no-postprocessing)");
            log.LogWarning("fold all without a cross-validation to choose from ({Problem}): predicts at its full depth L{Depth}, with no post-processing", problem, depth);
            return (new RunSplit(AllCases(data, settings), []), new AllFoldDecision(depth, null, null, "the settings (network depth, no post-processing)"), folds);
        }
        var split = RunSplit.LoadFolds(parent)[0];
        var all = new RunSplit(split.Train.Concat(split.Val).Order(StringComparer.Ordinal).ToList(), []);
        all.Indices(data, splitPath); // every case of the cross-validation must still be in the data set
        var decision = CrossValidation.Decide(parent, folds!.Value, settings.DepthRule());
        return (all, new AllFoldDecision(decision.Depth.Chosen, settings.Validation.Postprocessing ? decision.PostProcessing : null, decision.Depth,
            $"the {folds}-fold cross-validation in {parent} ({decision.Cases} cases)"), folds);
    }

    /// <summary>The first setting, in config.json order, whose value differs from the cross-validation's (the fold count only when given).</summary>
    static SettingChange? FirstDifference(RunSettings cv, RunSettings requested)
    {
        var asked = requested with { Validation = requested.Validation with { Fold = null, Folds = requested.Validation.Folds ?? cv.Validation.Folds } };
        var before = RunSettingsFile.Values(cv);
        var after = RunSettingsFile.Values(asked);
        return SettingKeys.All.Select(k => k.Key).Where(k => !MayDiffer.Contains(k) && before[k] != after[k])
            .Select(k => new SettingChange(k, before[k], after[k])).FirstOrDefault();
    }

    /// <summary>Every case of the data set (at most max_cases of them, picked as the folds would be), sorted by id.</summary>
    static List<string> AllCases(SegmentationDataset data, RunSettings settings)
    {
        var order = Enumerable.Range(0, data.Count).ToArray();
        new Random(settings.Dataset.DataSeed).Shuffle(order);
        if (settings.Dataset.MaxCases is int max) order = order.Take(Math.Max(2, max)).ToArray();
        return order.Select(i => data.CaseIds[i]).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>After training: the decided depth and post-processing into inference.json, metrics.json without validation
    /// figures (the depth table is the cross-validation's), curves.png of the training loss.</summary>
    internal static TrainRunResult Finish(string run, ExperimentPlan plan, int trainCount, AllFoldDecision decided, TrainRunOptions options)
    {
        var last = CheckpointFile.Read(Path.Combine(run, Trainer.LastCheckpointName)).State;
        InferenceChoices.Update(run, c => c with { ChosenDepth = decided.ChosenDepth, PostProcessing = decided.PostProcessing });
        var metrics = new JsonObject
        {
            ["fold"] = FoldSelection.AllText,
            ["chosen_depth"] = decided.ChosenDepth,
            ["depth_rule"] = decided.Depth?.Description ?? "the full network depth, set explicitly",
            ["depth_source"] = decided.Source,
            ["depth_table"] = decided.Depth?.Table() ?? [],
            ["postprocessing"] = decided.PostProcessing is { } p ? new JsonObject
            {
                ["keep_largest"] = new JsonArray(p.KeepLargest.Select(c => (JsonNode)c).ToArray()),
                ["fill_holes"] = new JsonArray(p.FillHoles.Select(c => (JsonNode)c).ToArray()),
                ["chosen_on"] = p.ChosenOn,
            } : null,
            ["epochs"] = last.CompletedEpochs,
            ["training_seconds"] = Math.Round(last.TrainingSeconds, 1),
            ["training_cases"] = trainCount,
            ["validation_cases"] = new JsonArray(),
            ["class_values"] = new JsonArray(plan.ClassValues.Select(v => (JsonNode)v).ToArray()),
        };
        string metricsPath = Path.Combine(run, TrainingRun.MetricsFileName);
        AtomicFile.WriteAllText(metricsPath, metrics.ToJsonString(ProjectJson.Options));
        string? curves = options.CurvePlotter is null ? null : Path.Combine(run, TrainingRun.CurvesFileName);
        if (curves is not null) options.CurvePlotter!.Write(curves, last.History.Select(h => new CurvePoint(h.Epoch, h.TrainLoss, null, h.ValidationScore)).ToList());
        var costs = decided.Depth?.Costs ?? [];
        return new TrainRunResult(run, decided.ChosenDepth, costs.ToDictionary(c => c.Depth, c => c.MeanDice), costs.ToDictionary(c => c.Depth, c => c.SecondsPerCase),
            last.BestEpoch, double.NaN, last.CompletedEpochs, last.TrainingSeconds, trainCount, 0, metricsPath, curves, Path.Combine(run, TrainingRun.OverlayFolder))
        { DepthChoice = decided.Depth };
    }
}
