using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using UNetSharp.Data;
using UNetSharp.Data.Augmentation;
using UNetSharp.Data.Layouts;
using UNetSharp.Data.Sampling;
using UNetSharp.IO;
using UNetSharp.Metrics;
using UNetSharp.Models;
using UNetSharp.Planning;
using UNetSharp.Reporting;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;

namespace UNetSharp.Pipeline;

/// <summary>
/// `unetsharp train` as one call: data → plan → train (with validation) → evaluate every pruned depth on the
/// validation cases → choose the prediction depth → write metrics.json, cases.csv, history.csv, curves.png and
/// overlays/ into the run folder
/// (curves.png only with a <see cref="TrainRunOptions.CurvePlotter"/>) (with plan.json, config.json, best.ckpt, last.ckpt).
/// </summary>
public static class TrainingRun
{
    public const string ConfigFileName = "config.json", MetricsFileName = "metrics.json", CasesFileName = "cases.csv",
        CurvesFileName = "curves.png", OverlayFolder = "overlays";

    /// <summary>Depth choice: the smallest depth whose mean validation Dice is within this of the best depth's.</summary>
    public const double DepthTolerance = 0.005;

    public static TrainRunResult Run(TrainRunOptions options, IProgress<EpochReport>? epochs = null, IProgress<string>? status = null,
        CancellationToken cancellation = default)
    {
        options.Validate();
        var data = DatasetLayouts.Open(options.DataDirectory, options.Plan.Layout);
        string run = options.RunDirectory;
        TrainingPreflight.CheckRunFolder(run, options.DataDirectory);
        ExperimentPlan plan;
        if (options.Resume)
        {
            plan = ExperimentPlan.Load(run);
        }
        else
        {
            if (File.Exists(Path.Combine(run, Trainer.LastCheckpointName)))
                throw new ConfigurationException($"{run} already holds a run: pass --resume to continue it, or choose another --out");
            // everything that can be refused is refused before the run folder is written: every case, the plan, the split, the loader
            var labelValues = TrainingPreflight.CheckData(data, status);
            status?.Report($"planning from {data.Count} cases in {data.Root}");
            plan = ExperimentPlanner.Plan(data, options.Plan, labelValues);
            options.Training.Validate();
            Split(data.Count, options);
            TrainingPreflight.CheckLoader(new LoaderOptions { PatchSize = plan.PatchSize.ToArray(), BatchSize = plan.BatchSize, BatchesPerEpoch = options.BatchesPerEpoch });
            Directory.CreateDirectory(run);
            plan.Save(run);
            AtomicFile.WriteAllText(Path.Combine(run, ConfigFileName), JsonSerializer.Serialize(options, new JsonSerializerOptions { WriteIndented = true }));
        }

        var (trainIds, valIds) = Split(data.Count, options);
        var trainCases = new CachingCaseSource(new PlannedCaseSource(data, trainIds, plan));
        var valSource = new PlannedCaseSource(data, valIds, plan);
        status?.Report($"loading {valIds.Count} validation cases");
        var validation = Enumerable.Range(0, valSource.Count).Select(valSource.Load).ToList();

        var loaderOptions = new LoaderOptions
        {
            PatchSize = plan.PatchSize.ToArray(), BatchSize = plan.BatchSize, BatchesPerEpoch = options.BatchesPerEpoch,
            Seed = options.DataSeed, Augmentation = options.Augmentation switch
            {
                AugmentationPreset.NnUNet => AugmentationPipeline.NnUNetDefault(),
                AugmentationPreset.UNetSharp => AugmentationPipeline.UNetSharpDefault(),
                _ => null,
            },
        };
        Func<SegmentationNetwork, ValidationResult> validate = net =>
        {
            var result = DepthEvaluation.Run(net, validation, net.Config.Depth, plan.PatchSize, surfaceDistances: false, keepPredictions: false);
            return new ValidationResult(result.MeanDice, result.Summary.Classes.Select(c => c.Dice).ToList());
        };

        var watch = Stopwatch.StartNew();
        using (var source = new PatchBatchSource(trainCases, loaderOptions))
        using (var trainer = options.Resume ? Trainer.Resume(run, source, validate) : Trainer.Start(plan.Network, options.Training, source, run, validate))
        {
            status?.Report($"training on {trainIds.Count} cases, validating on {valIds.Count}");
            trainer.Run(epochs, cancellation);
        }
        double trainingSeconds = watch.Elapsed.TotalSeconds;
        return Evaluate(run, plan, validation, trainIds.Count, trainingSeconds, options, status);
    }

    /// <summary>Scores best.ckpt at every pruned depth, chooses the prediction depth, writes the report files.</summary>
    static TrainRunResult Evaluate(string run, ExperimentPlan plan, IReadOnlyList<SegmentationCase> validation, int trainCount,
        double trainingSeconds, TrainRunOptions options, IProgress<string>? status)
    {
        string best = Path.Combine(run, File.Exists(Path.Combine(run, Trainer.BestCheckpointName)) ? Trainer.BestCheckpointName : Trainer.LastCheckpointName);
        var checkpoint = CheckpointFile.Read(best);
        var last = CheckpointFile.Read(Path.Combine(run, Trainer.LastCheckpointName)).State; // the whole history; best.ckpt stops at its epoch
        using var net = CheckpointFile.BuildModel(best, checkpoint);
        net.eval();
        var results = new Dictionary<int, DepthResult>();
        foreach (int depth in net.PrunableDepths)
        {
            status?.Report($"evaluating depth L{depth} on {validation.Count} validation cases");
            using var noGrad = TorchSharp.torch.no_grad();
            results[depth] = DepthEvaluation.Run(net, validation, depth, plan.PatchSize, options.SurfaceDistances, keepPredictions: true);
        }
        double bestDice = results.Values.Max(r => double.IsNaN(r.MeanDice) ? double.MinValue : r.MeanDice);
        int chosen = results.Keys.OrderBy(d => d).First(d => results[d].MeanDice >= bestDice - DepthTolerance || d == net.Config.Depth);
        (plan with { PredictionDepth = chosen }).Save(run);

        var metrics = new JsonObject
        {
            ["chosen_depth"] = chosen,
            ["depth_rule"] = $"smallest depth whose mean validation Dice is within {DepthTolerance} of the best depth",
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
        string metricsPath = Path.Combine(run, MetricsFileName);
        AtomicFile.WriteAllText(metricsPath, metrics.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        results[chosen].Summary.WriteCsv(Path.Combine(run, CasesFileName));

        string? curves = options.CurvePlotter is null ? null : Path.Combine(run, CurvesFileName);
        if (curves is not null) options.CurvePlotter!.Write(curves, last.History.Select(h => new CurvePoint(h.Epoch, h.TrainLoss, null, h.ValidationScore)).ToList());
        string overlays = Path.Combine(run, OverlayFolder);
        foreach (var (c, prediction) in results[chosen].Predictions.Take(options.Overlays)) WriteOverlay(overlays, c, prediction);

        return new TrainRunResult(run, chosen, results.ToDictionary(r => r.Key, r => r.Value.MeanDice), results.ToDictionary(r => r.Key, r => r.Value.SecondsPerCase),
            last.BestEpoch, last.BestScore, last.CompletedEpochs, trainingSeconds, trainCount, validation.Count,
            metricsPath, curves, overlays);
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

    /// <summary>Deterministic shuffle by the data seed; the last ValidationFraction (at least one case) validates.</summary>
    static (List<int> Train, List<int> Validation) Split(int count, TrainRunOptions options)
    {
        if (count < 2) throw new ConfigurationException($"{options.DataDirectory}: need at least 2 cases (one to train, one to validate), found {count}");
        var order = Enumerable.Range(0, count).ToArray();
        new Random(options.DataSeed).Shuffle(order);
        if (options.MaxCases is int max) order = order.Take(Math.Max(2, max)).ToArray();
        int validation = Math.Clamp((int)Math.Round(order.Length * options.ValidationFraction), 1, order.Length - 1);
        return (order.Take(order.Length - validation).OrderBy(i => i).ToList(), order.Skip(order.Length - validation).OrderBy(i => i).ToList());
    }
}
