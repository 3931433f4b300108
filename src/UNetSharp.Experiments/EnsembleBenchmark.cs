using UNetSharp.Experiments.Benchmarks;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using UNetSharp.Data.Layouts;
using UNetSharp.Prediction;
using UNetSharp.IO;
using UNetSharp.Metrics;
using UNetSharp.Pipeline;
using UNetSharp.Planning;
using UNetSharp.Settings;

namespace UNetSharp.Experiments;

/// <summary>
/// Fold ensemble against one model at the same total step budget, scored on a seeded test set that neither arm ever sees
/// (nnU-Net's imagesTs). <see cref="Settings"/> are train's settings for both arms; the benchmark owns the data split, the
/// budget and the validation schedule (see <see cref="EnsembleBenchmark"/>).
/// </summary>
public sealed record EnsembleBenchmarkSpec
{
    public required string OutputDirectory { get; init; }

    /// <summary>Train's settings, data folder included, shared by both arms.</summary>
    public required RunSettings Settings { get; init; }

    /// <summary>Total optimiser steps of each arm: the single model takes all of them, each of the <see cref="Folds"/> fold models its share.</summary>
    public required long Iterations { get; init; }

    public int Folds { get; init; } = 3;

    /// <summary>Test cases drawn by <see cref="HoldoutSeed"/> (when <see cref="HoldoutCases"/> is null).</summary>
    public int HoldoutCount { get; init; } = 6;

    public int HoldoutSeed { get; init; } = 1;

    /// <summary>The test cases by id, instead of a seeded draw.</summary>
    public IReadOnlyList<string>? HoldoutCases { get; init; }

    /// <summary>Mirroring TTA when predicting the test cases (both arms).</summary>
    public bool Tta { get; init; }

    /// <summary>Depth both arms predict at; null: the network's full depth (no depth is chosen on validation cases).</summary>
    public int? Depth { get; init; }

    /// <summary>Torch threads of every training and prediction (null: the settings' own).</summary>
    public int? Threads { get; init; }

    public void Validate()
    {
        if (Folds < 2) throw new ConfigurationException($"folds must be at least 2, got {Folds}");
        if (Iterations < Folds || Iterations % Folds != 0)
            throw new ConfigurationException($"iterations {Iterations} must be a positive multiple of folds {Folds} (each fold takes iterations / folds steps: the same total budget)");
        if (HoldoutCases is null && HoldoutCount < 1) throw new ConfigurationException($"held-out case count must be at least 1, got {HoldoutCount}");
        if (HoldoutCases is { Count: 0 }) throw new ConfigurationException("held-out cases: the list is empty");
        if (Depth is < 1) throw new ConfigurationException($"depth must be 1 or more, got {Depth}");
        if (Threads is < 1) throw new ConfigurationException($"threads must be at least 1, got {Threads}");
        foreach (var (key, set) in new (string, bool)[]
        {
            ("folds", Settings.Validation.Folds is not null), ("fold", Settings.Validation.Fold is not null), ("iterations", Settings.Optimisation.Iterations is not null),
            ("time_budget", Settings.Optimisation.TimeBudget is not null), ("exclude_cases", Settings.Dataset.ExcludeCases is not null), ("max_cases", Settings.Dataset.MaxCases is not null),
        })
            if (set) throw new ConfigurationException($"'{key}' is set by the ensemble benchmark (its folds, budget and held-out cases); remove it from the train settings");
        if (!Directory.Exists(Settings.Data)) throw new DataFormatException(Settings.Data, "data folder not found");
    }
}

/// <summary>One held-out case × class scored for one arm (a row of results.csv).</summary>
public sealed record HoldoutScore(string Arm, string Case, int Class, double Dice, double Iou, double Hd95);

/// <summary>Mean ± sample sd of one arm's Dice over the held-out cases, per class.</summary>
public sealed record ArmClassDice(int Class, int Cases, double Mean, double Sd);

/// <summary>
/// The paired comparison of the ensemble with the single model on the same held-out cases (one class, or every class
/// pooled as case × class pairs when <see cref="Class"/> is null): mean and sd of the differences (ensemble − single),
/// how often each arm is ahead, and the two-sided Wilcoxon signed-rank test.
/// </summary>
public sealed record PairedDice(int? Class, int Pairs, double MeanDifference, double SdDifference, int EnsembleAhead, int Ties, int SingleAhead, WilcoxonResult Wilcoxon);

/// <summary>
/// Runs an <see cref="EnsembleBenchmarkSpec"/>:
/// <list type="number">
/// <item>draws the test cases (seeded; sorted ids) and keeps them out of both arms (<see cref="DatasetStage.ExcludeCases"/>);</item>
/// <item>arm "single": one run on the remaining cases for all <see cref="EnsembleBenchmarkSpec.Iterations"/> steps. `train` needs a
/// validation case, so exactly one remaining case validates (the rest train);</item>
/// <item>arm "ensemble": <see cref="EnsembleBenchmarkSpec.Folds"/>-fold cross-validation of the remaining cases, each fold
/// iterations / folds steps, predicted as one ensemble (probabilities averaged, the `predict` path);</item>
/// <item>both arms validate only after their last step, so best.ckpt is the last weights and no validation case picks a
/// checkpoint; both predict the test cases with the same settings (TTA as asked, one depth: the full one unless given, no
/// post-processing) and are scored per case (Dice, IoU, HD95) against the data set's labels.</item>
/// </list>
/// Writes OUT/single, OUT/ensemble (run folders), benchmark.json (the training settings; a rerun with others is refused),
/// and per prediction setting results_L&lt;depth&gt;[_tta].csv / .json and summary_L&lt;depth&gt;[_tta].md. Resumable: finished runs
/// are kept (so a rerun with another depth or TTA only predicts), stopped ones resume from their checkpoint.
/// </summary>
public static class EnsembleBenchmark
{
    public const string SpecFile = "benchmark.json";

    /// <summary>results_L4.json, results_L3_tta.csv, summary_L4.md...: one set per prediction setting, so the same trained arms
    /// can be predicted again at another depth or with TTA without retraining or overwriting.</summary>
    public static string ResultsFile(string stem, int depth, bool tta, string extension) =>
        $"{stem}_L{depth.ToString(CultureInfo.InvariantCulture)}{(tta ? "_tta" : "")}.{extension}";
    public const string SingleArm = "single", EnsembleArm = "ensemble";

    /// <summary>Validation after every this-many epochs: in effect only after the last one, so best.ckpt holds the last weights.</summary>
    const int ValidateOnlyAtTheEnd = 1_000_000;

    /// <summary><paramref name="count"/> case ids drawn by <paramref name="seed"/> from the ids in ordinal order (so the draw does not
    /// depend on the layout's listing order), returned sorted. At least <paramref name="keep"/> cases must remain.</summary>
    public static IReadOnlyList<string> ChooseHoldout(IReadOnlyList<string> caseIds, int count, int seed, int keep)
    {
        if (count < 1 || caseIds.Count - count < keep)
            throw new ConfigurationException($"holding out {count} of {caseIds.Count} cases leaves {caseIds.Count - count}; at least {keep} must remain to train and validate");
        var ids = caseIds.Order(StringComparer.Ordinal).ToArray();
        new Random(seed).Shuffle(ids);
        return ids.Take(count).Order(StringComparer.Ordinal).ToList();
    }

    /// <summary>Per arm and class: mean ± sd Dice over the cases (undefined Dice, class absent from both maps, left out).</summary>
    public static IReadOnlyList<ArmClassDice> Summarize(IEnumerable<HoldoutScore> scores) => scores
        .GroupBy(s => s.Class).OrderBy(g => g.Key)
        .Select(g => MeanSd.Of(g.Select(s => s.Dice)) is var m ? new ArmClassDice(g.Key, m.N, m.Mean, m.Sd) : null!).ToList();

    /// <summary>Paired per case (and class): per class, plus all classes pooled when there are several. Pairs where either arm's
    /// Dice is undefined are left out.</summary>
    public static IReadOnlyList<PairedDice> Compare(IReadOnlyList<HoldoutScore> single, IReadOnlyList<HoldoutScore> ensemble)
    {
        var byKey = single.ToDictionary(s => (s.Case, s.Class), s => s.Dice);
        var pairs = ensemble.Select(e => (e.Class, Ensemble: e.Dice, Single: byKey.TryGetValue((e.Case, e.Class), out double d) ? d
                : throw new ArgumentException($"case '{e.Case}' class {e.Class} has no single-model score", nameof(single))))
            .Where(p => !double.IsNaN(p.Ensemble) && !double.IsNaN(p.Single)).ToList();
        if (single.Count != ensemble.Count) throw new ArgumentException($"the arms hold {single.Count} and {ensemble.Count} scores: not the same cases", nameof(ensemble));
        PairedDice Of(int? cls, IReadOnlyList<(int Class, double Ensemble, double Single)> p)
        {
            var differences = p.Select(x => x.Ensemble - x.Single).ToList();
            var sd = MeanSd.Of(differences);
            return new PairedDice(cls, p.Count, sd.Mean, sd.Sd, differences.Count(d => d > 0), differences.Count(d => d == 0), differences.Count(d => d < 0),
                WilcoxonSignedRank.Test(p.Select(x => x.Ensemble).ToList(), p.Select(x => x.Single).ToList()));
        }
        var classes = pairs.GroupBy(p => p.Class).OrderBy(g => g.Key).Select(g => Of(g.Key, g.ToList())).ToList();
        if (classes.Count > 1) classes.Add(Of(null, pairs));
        return classes;
    }

    public static EnsembleBenchmarkResult Run(EnsembleBenchmarkSpec spec, ILogger? logger = null, CancellationToken cancellation = default)
    {
        var log = logger ?? NullLogger.Instance;
        spec.Validate();
        var clock = Stopwatch.StartNew();
        double? loadStart = SystemLoad.OneMinute();
        var settings = spec.Settings with
        {
            Optimisation = spec.Settings.Optimisation with { Threads = spec.Threads ?? spec.Settings.Optimisation.Threads },
            Validation = spec.Settings.Validation with { ValidateEvery = ValidateOnlyAtTheEnd },
        };
        var data = DatasetLayouts.Open(settings.Data, settings.Layout());
        int keep = Math.Max(spec.Folds, 2);
        var holdout = spec.HoldoutCases ?? ChooseHoldout(data.CaseIds, spec.HoldoutCount, spec.HoldoutSeed, keep);
        var remaining = CaseSubsetDataset.Excluding(data, holdout, "held-out cases");
        if (remaining.Count < keep) throw new ConfigurationException($"held-out cases leave {remaining.Count} cases; {spec.Folds} folds need at least {keep}");
        PathGuard.RefuseOverlap(spec.OutputDirectory, "benchmark output folder", settings.Data, "data folder");

        string specPath = Path.Combine(spec.OutputDirectory, SpecFile);
        string specJson = ProjectJson.Serialize(new
        {
            spec.Iterations, spec.Folds, HoldoutCases = holdout,
            Settings = settings with { Optimisation = settings.Optimisation with { Threads = null }, Out = "" },
        });
        if (File.Exists(specPath)) ExperimentRunner.CheckSameExperiment(File.ReadAllText(specPath), specJson, specPath);
        Directory.CreateDirectory(spec.OutputDirectory);
        if (!File.Exists(specPath)) AtomicFile.WriteAllText(specPath, specJson);
        log.LogInformation("held-out test cases ({Count}): {Cases}; {Remaining} cases left for training", holdout.Count, string.Join(", ", holdout), remaining.Count);

        // arm "single": all steps, one validation case (train needs one; 0.4 / n rounds to none, and at least one validates)
        string singleDir = Path.Combine(spec.OutputDirectory, SingleArm);
        var singleOptions = new TrainRunOptions
        {
            Settings = settings with
            {
                Out = singleDir, Dataset = settings.Dataset with { ExcludeCases = holdout }, Optimisation = settings.Optimisation with { Iterations = spec.Iterations },
                Validation = settings.Validation with { Fraction = 0.4 / remaining.Count },
            },
            Logger = log, Resume = File.Exists(Path.Combine(singleDir, TrainingRun.ConfigFileName)),
        };
        if (File.Exists(Path.Combine(singleDir, TrainingRun.MetricsFileName))) log.LogInformation("single model: finished ({Folder}), not trained again", singleDir);
        else
        {
            log.LogInformation("single model: {Steps} steps on the remaining cases but one -> {Folder}", spec.Iterations, singleDir);
            TrainingRun.Run(singleOptions, cancellation: cancellation);
        }

        // arm "ensemble": k folds of the same cases, iterations / k steps each
        string ensembleDir = Path.Combine(spec.OutputDirectory, EnsembleArm);
        long foldSteps = spec.Iterations / spec.Folds;
        log.LogInformation("ensemble: {Folds} folds x {Steps} steps -> {Folder}", spec.Folds, foldSteps, ensembleDir);
        var cv = CrossValidation.Run(new TrainRunOptions
        {
            Settings = settings with
            {
                Out = ensembleDir, Dataset = settings.Dataset with { ExcludeCases = holdout }, Optimisation = settings.Optimisation with { Iterations = foldSteps },
                Validation = settings.Validation with { Folds = spec.Folds },
            },
            Logger = log,
        }, cancellation: cancellation);
        if (cv.FoldsDone.Count != spec.Folds) throw new InvalidOperationException($"{ensembleDir}: only {cv.FoldsDone.Count} of {spec.Folds} folds finished");

        var singleScores = Score(SingleArm, singleDir, data, holdout, spec, log, cancellation, out double singleSeconds, out int depth);
        var ensembleScores = Score(EnsembleArm, ensembleDir, data, holdout, spec, log, cancellation, out double ensembleSeconds, out _);
        var result = new EnsembleBenchmarkResult
        {
            Spec = spec, HoldoutCases = holdout, TrainingCases = remaining.Count, Depth = depth,
            Single = new ArmResult(SingleArm, 1, spec.Iterations, TrainingSeconds(singleDir), singleSeconds, Summarize(singleScores), singleScores),
            Ensemble = new ArmResult(EnsembleArm, spec.Folds, foldSteps,
                Enumerable.Range(0, spec.Folds).Sum(k => TrainingSeconds(CrossValidation.FoldFolder(ensembleDir, k))), ensembleSeconds, Summarize(ensembleScores), ensembleScores),
            Comparison = Compare(singleScores, ensembleScores),
            WallSeconds = clock.Elapsed.TotalSeconds, LoadAverageStart = loadStart, LoadAverageEnd = SystemLoad.OneMinute(),
        };
        result.Write(spec.OutputDirectory);
        return result;
    }

    /// <summary>Predicts every held-out case with the arm's model(s) through <see cref="PredictionJob"/> and scores it.</summary>
    static List<HoldoutScore> Score(string arm, string model, SegmentationDataset data, IReadOnlyList<string> holdout, EnsembleBenchmarkSpec spec, ILogger log,
        CancellationToken cancellation, out double seconds, out int depth)
    {
        var images = holdout.Select(id => data.CaseFilePaths(data.CaseIds.ToList().IndexOf(id)).Image
            ?? throw new DataFormatException(Path.Combine(data.Root, id), "the layout names no image file for this case")).ToList();
        var clock = Stopwatch.StartNew();
        // Input only lets the job check the model against a real image; PredictLabels writes nothing, so OutputDir stays unused.
        using var job = PredictionJob.Open(new PredictionJobOptions
        {
            Model = model, Input = images[0], OutputDir = Path.Combine(spec.OutputDirectory, "predictions-unused"),
            Tta = spec.Tta, Depth = spec.Depth ?? FullDepth(model),
            PlanPostProcessing = false, Threads = spec.Threads,
        });
        depth = job.Depth;
        var plan = job.Model.Plan;
        var classIndex = plan.ClassValues.Select((v, i) => (v, i)).ToDictionary(p => p.v, p => p.i);
        int foreground = Math.Max(1, job.Model.Config.Classes - 1);
        var scores = new List<HoldoutScore>();
        for (int k = 0; k < holdout.Count; k++)
        {
            cancellation.ThrowIfCancellationRequested();
            var reference = data.Load(data.CaseIds.ToList().IndexOf(holdout[k]));
            var (input, labels) = job.PredictLabels(images[k]);
            if (!input.Shape.SequenceEqual(reference.Shape))
                throw new DataFormatException(images[k], $"predicted on a {string.Join("x", input.Shape)} grid, the label is {string.Join("x", reference.Shape)}");
            var truth = reference.Label!.Select(v => classIndex.TryGetValue(v, out int c) ? c
                : throw new DataFormatException(Path.Combine(data.Root, holdout[k]), $"label value {v} is not one of the planned classes {string.Join(",", plan.ClassValues)}")).ToArray();
            var evaluation = CaseEvaluation.Evaluate(labels.Select(b => (int)b).ToArray(), truth, reference.Shape, reference.Spacing,
                Enumerable.Range(1, foreground).ToList(), holdout[k]);
            foreach (var c in evaluation.Classes) scores.Add(new HoldoutScore(arm, holdout[k], c.Label, c.Overlap.Dice, c.Overlap.IoU, c.Distance.Hd95));
            log.LogInformation("{Arm}: {Case} Dice {Dice}", arm, holdout[k], string.Join(" ", evaluation.Classes.Select(c => c.Overlap.Dice.ToString("F4", CultureInfo.InvariantCulture))));
        }
        seconds = clock.Elapsed.TotalSeconds;
        return scores;
    }

    /// <summary>The full depth of a run folder's network, or of the first fold of a cross-validation folder.</summary>
    static int FullDepth(string model) =>
        ExperimentPlan.Load(Directory.Exists(CrossValidation.FoldFolder(model, 0)) ? CrossValidation.FoldFolder(model, 0) : model).Network.Depth;

    static double TrainingSeconds(string run)
    {
        string path = Path.Combine(run, TrainingRun.MetricsFileName);
        return JsonNode.Parse(File.ReadAllText(path))?["training_seconds"]?.GetValue<double>() ?? double.NaN;
    }
}

/// <summary>One arm: its models, steps per model and in total, training seconds (summed over its runs), prediction seconds, Dice per class and every score.</summary>
public sealed record ArmResult(string Arm, int Models, long StepsPerModel, double TrainingSeconds, double PredictionSeconds,
    IReadOnlyList<ArmClassDice> Dice, IReadOnlyList<HoldoutScore> Scores)
{
    public long TotalSteps => Models * StepsPerModel;
}

/// <summary>What <see cref="EnsembleBenchmark.Run"/> measured; <see cref="Write"/> puts it into results.csv, results.json and summary.md.</summary>
public sealed record EnsembleBenchmarkResult
{
    public required EnsembleBenchmarkSpec Spec { get; init; }
    public required IReadOnlyList<string> HoldoutCases { get; init; }
    public required int TrainingCases { get; init; }
    public required int Depth { get; init; }
    public required ArmResult Single { get; init; }
    public required ArmResult Ensemble { get; init; }
    public required IReadOnlyList<PairedDice> Comparison { get; init; }
    public double WallSeconds { get; init; }
    public double? LoadAverageStart { get; init; }
    public double? LoadAverageEnd { get; init; }

    public void Write(string folder)
    {
        string Name(string stem, string extension) => EnsembleBenchmark.ResultsFile(stem, Depth, Spec.Tta, extension);
        var csv = new StringBuilder("arm,case,class,dice,iou,hd95\n");
        foreach (var s in Single.Scores.Concat(Ensemble.Scores))
            csv.Append(CultureInfo.InvariantCulture, $"{s.Arm},{s.Case},{s.Class},{N(s.Dice)},{N(s.Iou)},{N(s.Hd95)}\n");
        AtomicFile.WriteAllText(Path.Combine(folder, Name("results", "csv")), csv.ToString());
        AtomicFile.WriteAllText(Path.Combine(folder, Name("results", "json")), ToJson());
        AtomicFile.WriteAllText(Path.Combine(folder, Name("summary", "md")), Markdown());
    }

    public string ToJson()
    {
        JsonNode Arm(ArmResult a) => new JsonObject
        {
            ["models"] = a.Models, ["steps_per_model"] = a.StepsPerModel, ["total_steps"] = a.TotalSteps,
            ["training_seconds"] = R(a.TrainingSeconds), ["prediction_seconds"] = R(a.PredictionSeconds),
            ["dice"] = new JsonArray(a.Dice.Select(d => (JsonNode)new JsonObject { ["class"] = d.Class, ["cases"] = d.Cases, ["mean"] = R(d.Mean), ["sd"] = R(d.Sd) }).ToArray()),
            ["cases"] = new JsonArray(a.Scores.Select(s => (JsonNode)new JsonObject { ["case"] = s.Case, ["class"] = s.Class, ["dice"] = R(s.Dice) }).ToArray()),
        };
        var json = new JsonObject
        {
            ["data"] = Spec.Settings.Data,
            ["held_out_cases"] = new JsonArray(HoldoutCases.Select(c => (JsonNode)c).ToArray()),
            ["held_out_seed"] = Spec.HoldoutCases is null ? Spec.HoldoutSeed : null,
            ["training_cases"] = TrainingCases,
            ["folds"] = Spec.Folds,
            ["total_steps"] = Spec.Iterations,
            ["tta"] = Spec.Tta,
            ["depth"] = Depth,
            ["post_processing"] = "none",
            ["fairness"] = "same total optimiser steps; the single model trains on every remaining case but one (train needs one validation case), "
                + "each fold model on (k-1)/k of them; both validate only after their last step, so no validation case picks a checkpoint or the depth",
            ["single"] = Arm(Single),
            ["ensemble"] = Arm(Ensemble),
            ["comparison"] = new JsonArray(Comparison.Select(c => (JsonNode)new JsonObject
            {
                ["class"] = c.Class, ["pairs"] = c.Pairs, ["mean_difference"] = R(c.MeanDifference), ["sd_difference"] = R(c.SdDifference),
                ["ensemble_ahead"] = c.EnsembleAhead, ["ties"] = c.Ties, ["single_ahead"] = c.SingleAhead,
                ["wilcoxon_p"] = R(c.Wilcoxon.PValue), ["wilcoxon_statistic"] = c.Wilcoxon.Statistic, ["wilcoxon_method"] = c.Wilcoxon.Method,
            }).ToArray()),
            ["wall_seconds"] = R(WallSeconds),
            ["load_average_start"] = LoadAverageStart,
            ["load_average_end"] = LoadAverageEnd,
        };
        return json.ToJsonString(ProjectJson.Options);
    }

    public string Markdown()
    {
        var md = new StringBuilder();
        md.Append(CultureInfo.InvariantCulture, $"Held-out cases ({HoldoutCases.Count}): {string.Join(", ", HoldoutCases)}; {TrainingCases} training cases; depth L{Depth}, TTA {(Spec.Tta ? "on" : "off")}, no post-processing.\n\n");
        md.Append("| arm | models | steps per model | total steps | training s | class | Dice mean ± sd |\n|---|---|---|---|---|---|---|\n");
        foreach (var a in new[] { Single, Ensemble })
            foreach (var d in a.Dice)
                md.Append(CultureInfo.InvariantCulture, $"| {a.Arm} | {a.Models} | {a.StepsPerModel} | {a.TotalSteps} | {a.TrainingSeconds:F0} | {d.Class} | {new MeanSd(d.Mean, d.Sd, d.Cases).Format("F4")} |\n");
        md.Append("\n| class | pairs | ensemble − single (mean ± sd) | ensemble ahead / ties / single ahead | Wilcoxon p |\n|---|---|---|---|---|\n");
        foreach (var c in Comparison)
            md.Append(CultureInfo.InvariantCulture, $"| {(c.Class is int k ? k.ToString(CultureInfo.InvariantCulture) : "all")} | {c.Pairs} | {new MeanSd(c.MeanDifference, c.SdDifference, c.Pairs).Format("F4")} | {c.EnsembleAhead} / {c.Ties} / {c.SingleAhead} | {c.Wilcoxon.PValue:F4} ({c.Wilcoxon.Method}) |\n");
        return md.ToString();
    }

    static string N(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    static JsonNode? R(double v) => double.IsFinite(v) ? Math.Round(v, 6) : null;
}
