using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using UNetSharp.Data;
using UNetSharp.Data.Augmentation;
using UNetSharp.Data.Layouts;
using UNetSharp.Data.Sampling;
using UNetSharp.Instances;
using UNetSharp.IO;
using UNetSharp.Metrics;
using UNetSharp.Models;
using UNetSharp.Planning;
using UNetSharp.Overlays;
using UNetSharp.Settings;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;

namespace UNetSharp.Pipeline;

/// <summary>
/// `unetsharp train` as one call: data → plan → train (with validation) → evaluate every pruned depth on the
/// validation cases → choose the prediction depth → write metrics.json, cases.csv, history.csv, curves.png and
/// overlays/ into the run folder (with plan.json, config.json, best.ckpt, last.ckpt); curves.png only with a
/// <see cref="TrainRunOptions.CurvePlotter"/>.
/// </summary>
public static class TrainingRun
{
    public const string ConfigFileName = RunFolder.ConfigName, MetricsFileName = RunFolder.MetricsName, CasesFileName = RunFolder.CasesName,
        CurvesFileName = RunFolder.CurvesName, OverlayFolder = RunFolder.OverlaysName;

    public static TrainRunResult Run(TrainRunOptions options, IProgress<EpochReport>? epochs = null, CancellationToken cancellation = default,
        IProgress<StepReport>? steps = null)
    {
        if (options.Settings.Validation.AllFold()) return AllFold.Run(options, epochs, cancellation, steps);
        if (CrossValidation.Applies(options))
            throw new ConfigurationException($"{options.RunDirectory}: a cross-validation (folds) runs through CrossValidation.Run, one run folder per fold");
        return RunOne(options, CrossValidation.FoldSplitOf(options), epochs, cancellation, steps);
    }

    /// <summary>One run; <paramref name="fixedSplit"/> (a cross-validation fold) replaces the seeded split of a new run. The all
    /// fold passes <paramref name="decided"/>, the depth and post-processing its cross-validation chose: it has no validation cases.</summary>
    internal static TrainRunResult RunOne(TrainRunOptions options, RunSplit? fixedSplit, IProgress<EpochReport>? epochs, CancellationToken cancellation,
        IProgress<StepReport>? steps, AllFoldDecision? decided = null)
    {
        options.Validate();
        // the run's thread count serves its evaluation too; the caller gets its own back
        using var torchState = TorchStateScope.Save();
        if (options.Training.Threads is int threads) TorchSharp.torch.set_num_threads(threads);
        var log = options.Logger;
        var settings = options.Settings;
        SegmentationDataset data = CaseSubsetDataset.Excluding(DatasetLayouts.Open(options.DataDirectory, settings.Layout()), settings.Dataset.ExcludeCases); // a test set stays out of everything
        string run = options.RunDirectory;
        TrainingPreflight.CheckRunFolder(run, options.DataDirectory);
        string configPath = Path.Combine(run, ConfigFileName), splitPath = Path.Combine(run, RunSplit.FileName);
        bool hasCheckpoint = File.Exists(Path.Combine(run, Trainer.LastCheckpointName));
        var configuration = settings with { Data = Path.GetFullPath(options.DataDirectory), Out = Path.GetFullPath(run) };

        // Everything is read and checked before anything is written.
        if (!options.Resume && (hasCheckpoint || File.Exists(configPath)))
            throw new ConfigurationException($"{run} already holds a run ({(hasCheckpoint ? Trainer.LastCheckpointName : ConfigFileName)}): resume it, or choose another run folder");
        if (options.Resume && File.Exists(configPath)) CheckResumable(RunSettingsFile.Load(run), configuration, configPath, log);
        if (options.Resume) RunFolderVerifier.Verify(run, data); // plan, config, split and checkpoints must be one run before it goes on
        options.Training.Validate();
        bool reusePlan = options.Resume && File.Exists(Path.Combine(run, ExperimentPlan.FileName));
        // Instance segmentation trains on the three-class target of the instance labels (a resumed run asks its plan).
        data = InstanceTargetDataset.WrapIf(data, reusePlan ? ExperimentPlan.Load(run).Instances : options.Plan.Instances);
        ExperimentPlan plan;
        if (reusePlan) plan = ExperimentPlan.Load(run);
        else
        {
            // every case is checked before the run folder is written (labels, channels, shapes, geometry, finite values)
            log.LogInformation("checking all {Cases} cases in {Root}", data.Count, data.Root);
            var labelValues = TrainingPreflight.CheckData(data);
            log.LogInformation("planning from {Cases} cases in {Root}", data.Count, data.Root);
            plan = ExperimentPlanner.Plan(data, options.Plan, labelValues);
        }
        // the all fold's cases are always the cross-validation's (its splits.json has no validation list to reload)
        bool reuseSplit = options.Resume && File.Exists(splitPath) && decided is null;
        var split = reuseSplit ? RunSplit.Load(run, allowNoValidation: settings.Validation.AllFold()) : fixedSplit ?? RunSplit.Create(data, settings.Validation.Fraction, settings.Dataset.DataSeed, settings.Dataset.MaxCases);
        var (trainIds, valIds) = split.Indices(data, splitPath);
        TrainingPreflight.CheckLoader(new LoaderOptions { PatchSize = plan.PatchSize.ToArray(), BatchSize = plan.BatchSize, BatchesPerEpoch = settings.Optimisation.BatchesPerEpoch });
        if (options.Resume && !hasCheckpoint)
            log.LogWarning("{Run} holds no checkpoint yet (the run stopped before it saved one): training starts from the beginning", run);

        var trainCases = new CachingCaseSource(new PlannedCaseSource(data, trainIds, plan));
        // head init 'prior': the training cases' class frequencies start the heads; read before anything is written (the
        // cases stay cached for training) and recorded in the plan
        double[]? priors = options.Training.HeadInit == HeadInitKind.Prior && !(hasCheckpoint && options.Resume)
            ? HeadInitialisation.ClassPriors(trainCases, plan.ClassValues.Count) : null;

        var valSource = new PlannedCaseSource(data, valIds, plan);
        log.LogInformation("loading {Count} validation cases", valIds.Count);
        var validation = Enumerable.Range(0, valSource.Count).Select(valSource.Load).ToList();
        // measured before the first write, on a copy of the network: the run itself trains as without it
        var estimate = reusePlan ? null : TrainingCostProbe.Measure(plan with { ClassPriors = priors }, options.Training, settings.Optimisation.BatchesPerEpoch, validation);

        Directory.CreateDirectory(run);
        using var writer = RunLock.Acquire(run, warning => log.LogWarning("{Warning}", warning));
        RunSettingsFile.Save(configuration, run); // first: a run stopped before its plan or split was written resumes from this alone
        if (!reuseSplit) split.Save(run);
        if (!reusePlan) (plan = plan with { ClassPriors = priors, CostEstimate = estimate }).Save(run); // the plan's one write: frozen from here on
        LogPlan(log, plan, options, trainIds.Count, valIds.Count);
        if (estimate is not null) TrainingCostProbe.Log(log, estimate);
        if (priors is not null)
            log.LogInformation("head init: prior, class frequencies {Priors}", string.Join(", ", priors.Select(p => p.ToString("G3", System.Globalization.CultureInfo.InvariantCulture))));

        RunBaseline.LogBefore(log, validation, plan.Network.Classes);

        var loaderOptions = new LoaderOptions
        {
            PatchSize = plan.PatchSize.ToArray(), BatchSize = plan.BatchSize, BatchesPerEpoch = settings.Optimisation.BatchesPerEpoch,
            ForegroundRatio = settings.Augmentation.ForegroundRatio, Seed = settings.Dataset.DataSeed, Augmentation = settings.Augmentation.Preset switch
            {
                AugmentationPreset.NnUNet => AugmentationPipeline.NnUNetDefault(),
                AugmentationPreset.UNetSharp => AugmentationPipeline.UNetSharpDefault(),
                _ => null,
            },
        };
        Func<SegmentationNetwork, ValidationResult>? validate = validation.Count == 0 ? null : net =>
        {
            var result = DepthEvaluation.Run(net, validation, net.Config.Depth, plan.PatchSize, surfaceDistances: false, keepPredictions: false);
            return new ValidationResult(result.MeanDice, result.Summary.Classes.Select(c => c.Dice).ToList());
        };

        using (var source = new PatchBatchSource(trainCases, loaderOptions))
        using (var trainer = hasCheckpoint && options.Resume
            ? Trainer.Resume(run, source, validate, options.Training)
            : Trainer.Start(plan.Network, options.Training, source, run, validate, priors))
        {
            trainer.Steps = steps;
            trainer.CountFixed = estimate =>
            {
                // saved with the run's settings at once: a resume (or a repeat from config.json) takes exactly these steps
                configuration = configuration with { Optimisation = configuration.Optimisation with { Iterations = estimate.Iterations } };
                RunSettingsFile.Save(configuration, run);
                log.LogInformation("time budget {Budget}: {Steps} steps fit ({PerStep:F2} s per step, {Validation:F1} s per validation, {Elapsed:F0} s spent); the schedule runs over them",
                    FormatBudget(estimate.BudgetSeconds), estimate.Iterations, estimate.SecondsPerStep, estimate.SecondsPerValidation, estimate.ElapsedSeconds);
            };
            log.LogInformation("training on {Train} cases, validating on {Validation}", trainIds.Count, valIds.Count);
            trainer.Run(epochs, cancellation);
        }
        if (decided is not null) return AllFold.Finish(run, plan, trainIds.Count, decided, options);
        var result = Evaluate(run, plan, validation, trainIds.Count, options, cancellation);
        if (data is InstanceTargetDataset instanceData)
        {
            // the decoders are tuned on training cases (seeded pick), never on the validation cases they are scored on
            var shuffled = trainIds.ToArray();
            new Random(settings.Dataset.DataSeed).Shuffle(shuffled);
            var tuningIds = shuffled.Take(InstanceDepthEvaluation.TuningCaseCount).ToList();
            var tuningSource = new PlannedCaseSource(data, tuningIds, plan);
            InstanceDepthEvaluation.Run(run, validation, valIds.Select(i => instanceData.LoadInstanceCase(i).Label!).ToList(),
                Enumerable.Range(0, tuningSource.Count).Select(tuningSource.Load).ToList(), tuningIds.Select(i => instanceData.LoadInstanceCase(i).Label!).ToList(),
                new InstanceDecodingOptions(), settings.Validation.Overlays, log);
        }
        return result;
    }

    /// <summary>Refuses a resume whose settings differ from the saved run's, except those a run may change (logged).</summary>
    static void CheckResumable(RunSettings saved, RunSettings requested, string configPath, ILogger log)
    {
        var (allowed, conflicts) = RunSettingsFile.CompareForResume(saved, requested);
        if (conflicts.FirstOrDefault() is { } c)
            throw new ConfigurationException($"{c.Key} {c.Requested} conflicts with the run's {c.Key} {c.Saved} ({configPath}); start a new run or keep the run's settings");
        foreach (var change in allowed)
            log.LogInformation("resuming with {Setting} {Requested} (the run had {Saved})", change.Key, change.Requested, change.Saved);
    }

    /// <summary>The plan in one line, logged at the start: network, widths, patch, batch, steps, loss and split sizes.</summary>
    static void LogPlan(ILogger log, ExperimentPlan plan, TrainRunOptions options, int train, int validation)
    {
        var n = plan.Network;
        var t = options.Training;
        int batchesPerEpoch = options.Settings.Optimisation.BatchesPerEpoch;
        string length = t.MaxIterations is long iterations ? $"{iterations} steps" + (t.TimeBudgetSeconds is double b ? $" (fixed by the time budget {FormatBudget(b)})" : "")
            : t.TimeBudgetSeconds is double budget ? $"time budget {FormatBudget(budget)} (steps fixed after the first {t.DecayStart(batchesPerEpoch)})"
            : $"{t.Epochs} epochs x {batchesPerEpoch} steps";
        log.LogInformation("plan: {Arch} {Dims}D depth {Depth}, widths {Widths}, {Classes} output channel(s), deep supervision {DS}, CGMs {Cgm}; patch {Patch}, batch {Batch}, {Length}; {Train} training / {Validation} validation cases",
            n.Architecture, n.Dimensions, n.Depth, string.Join(",", n.Widths), n.Classes, n.DeepSupervision ? "on" : "off", n.Cgm ? "on" : "off",
            string.Join("x", plan.PatchSize), plan.BatchSize, length, train, validation);
        if (plan.Memory is { } memory)
        {
            if (memory.Note.Contains("warning:", StringComparison.Ordinal)) log.LogWarning("memory: {Note}", memory.Note);
            else log.LogInformation("memory: {Note}", memory.Note);
        }
        string optimizer = t.Optimizer == OptimizerKind.Sgd ? $"sgd momentum {t.Momentum}{(t.Nesterov ? " nesterov" : "")}" : SettingText.Of(t.Optimizer);
        log.LogInformation("recipe: {Optimizer} lr {Lr} -> {MinLr} ({Schedule}, warm-up {Warmup} epochs), weight decay {Wd}; loss {Loss}, deep-supervision weights {DsWeights}; head init {HeadInit}; foreground oversampling {Foreground:F2}; augmentation {Augment}",
            optimizer, t.LearningRate, t.MinLearningRate, SettingText.Of(t.Schedule), t.WarmupEpochs, t.WeightDecay, SettingText.Of(t.Loss.Kind), SettingText.Of(t.Loss.Weighting),
            SettingText.Of(t.HeadInit), options.Settings.Augmentation.ForegroundRatio, SettingText.Of(options.Settings.Augmentation.Preset));
    }

    /// <summary>"45m", "1h30m", "90s".</summary>
    public static string FormatBudget(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Round(seconds));
        return t.TotalHours >= 1 ? $"{(int)t.TotalHours}h{(t.Minutes > 0 ? $"{t.Minutes}m" : "")}" : t.TotalMinutes >= 1 && t.Seconds == 0 ? $"{t.Minutes}m" : $"{(int)t.TotalSeconds}s";
    }

    /// <summary>Scores best.ckpt at every pruned depth, chooses the prediction depth, writes the report files.</summary>
    static TrainRunResult Evaluate(string run, ExperimentPlan plan, IReadOnlyList<SegmentationCase> validation, int trainCount,
        TrainRunOptions options, CancellationToken cancellation)
    {
        string best = Path.Combine(run, File.Exists(Path.Combine(run, Trainer.BestCheckpointName)) ? Trainer.BestCheckpointName : Trainer.LastCheckpointName);
        var checkpoint = CheckpointFile.Read(best);
        var last = CheckpointFile.Read(Path.Combine(run, Trainer.LastCheckpointName)).State; // the whole history; best.ckpt stops at its epoch
        double trainingSeconds = last.TrainingSeconds; // summed over every process that trained the run
        using var net = CheckpointFile.BuildModel(best, checkpoint);
        net.eval();
        var results = new Dictionary<int, DepthResult>();
        foreach (int depth in net.PrunableDepths)
        {
            cancellation.ThrowIfCancellationRequested();
            options.Logger.LogInformation("evaluating depth L{Depth} on {Count} validation cases", depth, validation.Count);
            using var noGrad = TorchSharp.torch.no_grad();
            results[depth] = DepthEvaluation.Run(net, validation, depth, plan.PatchSize, options.Settings.Validation.SurfaceDistances, keepPredictions: true);
        }
        var rule = options.Settings.DepthRule();
        var costs = results.OrderBy(r => r.Key).Select(r => new DepthMeasurement(r.Key, r.Value.MeanDice, r.Value.SecondsPerCase)).ToList();
        int chosen = rule.Choose(costs);
        var choice = new DepthChoice(rule, rule.Describe("validation"), costs, chosen);
        InferenceChoices.Update(run, c => c with { ChosenDepth = chosen });
        var baseline = RunBaseline.Judge(options.Logger, results, chosen);

        var metrics = new JsonObject
        {
            ["chosen_depth"] = chosen,
            ["depth_rule"] = choice.Description,
            ["best_epoch"] = last.BestEpoch,
            ["best_validation_dice"] = double.IsNaN(last.BestScore) ? null : last.BestScore,
            ["epochs"] = last.CompletedEpochs,
            ["early_stopped"] = last.EarlyStopped,
            ["training_seconds"] = Math.Round(trainingSeconds, 1),
            ["training_cases"] = trainCount,
            ["validation_cases"] = new JsonArray(validation.Select(c => (JsonNode)c.Id).ToArray()),
            ["class_values"] = new JsonArray(plan.ClassValues.Select(v => (JsonNode)v).ToArray()),
            ["depths"] = new JsonObject(results.Select(r => new KeyValuePair<string, JsonNode?>($"L{r.Key}", DepthJson(r.Value)))),
        };
        RunBaseline.AddTo(metrics, baseline, results, chosen);
        if (options.Settings.Validation.FoldIndex() is int fold)
        {
            // a cross-validation fold: every case's Dice per depth and class, raw and post-processed, for the summary over all folds
            int foreground = Math.Max(1, net.Config.Classes - 1);
            PostProcessingSelection.WriteCsv(Path.Combine(run, CrossValidation.CasesFileName), results.OrderBy(r => r.Key)
                .SelectMany(r => r.Value.Predictions.SelectMany(p => PostProcessingSelection.Score(fold, r.Key, p.Case, p.Prediction, foreground))).ToList());
        }
        metrics["depth_table"] = choice.Table(); // every depth's Dice and speed beside the rule: what the choice costs
        string metricsPath = Path.Combine(run, MetricsFileName);
        AtomicFile.WriteAllText(metricsPath, metrics.ToJsonString(ProjectJson.Options));
        results[chosen].Summary.WriteCsv(Path.Combine(run, CasesFileName));

        string? curves = options.CurvePlotter is null ? null : Path.Combine(run, CurvesFileName);
        if (curves is not null) options.CurvePlotter!.Write(curves, last.History.Select(h => new CurvePoint(h.Epoch, h.TrainLoss, null, h.ValidationScore)).ToList());
        string overlays = Path.Combine(run, OverlayFolder);
        foreach (var (c, prediction) in results[chosen].Predictions.Take(options.Settings.Validation.Overlays)) WriteOverlay(overlays, c, prediction);

        return new TrainRunResult(run, chosen, results.ToDictionary(r => r.Key, r => r.Value.MeanDice), results.ToDictionary(r => r.Key, r => r.Value.SecondsPerCase),
            last.BestEpoch, last.BestScore, last.CompletedEpochs, trainingSeconds, trainCount, validation.Count,
            metricsPath, curves, overlays) { Depths = results, DepthChoice = choice, Baseline = baseline };
    }

    static JsonNode DepthJson(DepthResult r)
    {
        var node = JsonNode.Parse(r.Summary.ToJson())!.AsObject();
        node["mean_dice"] = double.IsNaN(r.MeanDice) ? null : Math.Round(r.MeanDice, 5);
        node["seconds_per_case"] = Math.Round(r.SecondsPerCase, 4);
        return node;
    }

    /// <summary>2D: the image; 3D: the slice with the most reference foreground (first channel).</summary>
    static void WriteOverlay(string folder, SegmentationCase c, int[] prediction)
    {
        int h = c.Shape[^2], w = c.Shape[^1], plane = h * w;
        int slice = c.Dimensions == 3 ? OverlayImage.BusiestSlice<int>(c.Label, plane) : 0;
        OverlayImage.Write(Path.Combine(folder, $"{c.Id}.png"), c.Image.AsSpan(slice * plane, plane), h, w,
            prediction.AsSpan(slice * plane, plane), c.Label.AsSpan(slice * plane, plane));
    }
}
