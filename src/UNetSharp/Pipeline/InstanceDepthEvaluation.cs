using System.Diagnostics;
using Microsoft.Extensions.Logging;
using UNetSharp.Data;
using UNetSharp.Inference;
using UNetSharp.Instances;
using UNetSharp.IO;
using UNetSharp.Metrics;
using UNetSharp.Models;
using UNetSharp.Planning;
using UNetSharp.Overlays;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;

namespace UNetSharp.Pipeline;

/// <summary>Mean instance scores over cases (NaN cases, with no instance on either side, skipped).</summary>
public sealed record InstanceScores(double Dsb, double F1, double Pq, double Sq, double Rq, double Aji, double MeanAbsoluteCountError, int Cases)
{
    public static InstanceScores Mean(IReadOnlyList<InstanceMetrics> cases)
    {
        double M(Func<InstanceMetrics, double> pick) => cases.Select(pick).Where(double.IsFinite).DefaultIfEmpty(double.NaN).Average();
        return new InstanceScores(M(m => m.DsbScore), M(m => m.F1), M(m => m.PanopticQuality), M(m => m.SegmentationQuality),
            M(m => m.RecognitionQuality), M(m => m.AggregatedJaccardIndex), cases.Select(m => (double)Math.Abs(m.CountError)).DefaultIfEmpty(double.NaN).Average(), cases.Count);
    }
}

/// <summary>
/// One pruned depth's validation instance scores with both decoders from the same probabilities, each with its settings
/// tuned on the tuning cases (<see cref="InstanceDecoderTuning"/>), plus watershed with the untuned default settings.
/// </summary>
public sealed record InstanceDepthResult(int Depth, InstanceScores Watershed, InstanceScores ConnectedComponents, InstanceScores WatershedDefaults,
    InstanceDecodingOptions WatershedDecoding, InstanceDecodingOptions ConnectedComponentsDecoding,
    double PredictSecondsPerCase, double WatershedSecondsPerCase, double ConnectedComponentsSecondsPerCase);

/// <summary>What instances.json of a run holds: per depth the tuned decoders and their validation scores; the tuning cases are training cases.</summary>
public sealed record InstanceValidationReport(int ChosenDepth, InstanceDecodingOptions Defaults, IReadOnlyList<string> TuningCases,
    IReadOnlyList<string> ValidationCases, IReadOnlyList<InstanceDepthResult> Depths)
{
    public const string FileName = InstanceDecodingTuned.FileName;
}

/// <summary>
/// The instance segmentation part of a run's final evaluation: best.ckpt predicts the tuning cases (training cases) and
/// the validation cases at every pruned depth (sliding window, no TTA, CGM gating as in predict). On the tuning cases
/// each decoder's thresholds and sizes are chosen (<see cref="InstanceDecoderTuning"/>, the same search for both); the
/// validation cases are then decoded by watershed and by connected components with their tuned settings (and by
/// watershed with the defaults) and scored against the reference instances (DSB score, F1@0.5, PQ/SQ/RQ, AJI, count
/// error). Writes instances.json and overlays/&lt;case&gt;_instances.png (reference left, watershed right, at the chosen depth).
/// </summary>
public static class InstanceDepthEvaluation
{
    /// <summary>How many training cases the decoders are tuned on.</summary>
    public const int TuningCaseCount = 16;

    public static InstanceValidationReport Run(string runFolder, IReadOnlyList<SegmentationCase> validation, IReadOnlyList<int[]> referenceInstances,
        IReadOnlyList<SegmentationCase> tuning, IReadOnlyList<int[]> tuningInstances, InstanceDecodingOptions defaults, int overlays, ILogger? log = null)
    {
        var plan = ExperimentPlan.Load(runFolder);
        string best = Path.Combine(runFolder, File.Exists(Path.Combine(runFolder, Trainer.BestCheckpointName)) ? Trainer.BestCheckpointName : Trainer.LastCheckpointName);
        using var net = CheckpointFile.LoadModel(best);
        net.eval();
        using var noGrad = TorchSharp.torch.no_grad();
        int chosen = InferenceChoices.Load(runFolder).ChosenDepth ?? net.Config.Depth;
        var results = new List<InstanceDepthResult>();
        foreach (int depth in net.PrunableDepths)
        {
            var predictor = new SlidingWindowPredictor(net, new SlidingWindowOptions
            {
                Depth = depth, TileSize = plan.PatchSize, MirrorAxes = Array.Empty<int>(), ReturnProbabilities = true,
            });
            log?.LogInformation("instances: tuning both decoders at depth L{Depth} on {Count} training cases", depth, tuning.Count);
            var tuningCases = new List<TuningCase>();
            for (int i = 0; i < tuning.Count; i++)
            {
                using var scope = TorchSharp.torch.NewDisposeScope();
                tuningCases.Add(new TuningCase(Probabilities(predictor.Predict(tuning[i])), tuning[i].Shape, tuningInstances[i]));
            }
            var (byWatershedSettings, _) = InstanceDecoderTuning.Tune(tuningCases, InstanceDecoderKind.Watershed, defaults);
            var (byComponentsSettings, _) = InstanceDecoderTuning.Tune(tuningCases, InstanceDecoderKind.ConnectedComponents, defaults);
            tuningCases.Clear();

            log?.LogInformation("instances: decoding depth L{Depth} on {Count} validation cases", depth, validation.Count);
            var watershed = new List<InstanceMetrics>();
            var components = new List<InstanceMetrics>();
            var untuned = new List<InstanceMetrics>();
            double predictSeconds = 0, watershedSeconds = 0, componentSeconds = 0;
            for (int i = 0; i < validation.Count; i++)
            {
                using var scope = TorchSharp.torch.NewDisposeScope();
                var c = validation[i];
                var clock = Stopwatch.StartNew();
                var probabilities = Probabilities(predictor.Predict(c));
                predictSeconds += clock.Elapsed.TotalSeconds;
                clock.Restart();
                var (byWatershed, _) = InstanceDecoder.FromProbabilities(probabilities, c.Shape, byWatershedSettings);
                watershedSeconds += clock.Elapsed.TotalSeconds;
                clock.Restart();
                var (byComponents, _) = InstanceDecoder.FromProbabilities(probabilities, c.Shape, byComponentsSettings);
                componentSeconds += clock.Elapsed.TotalSeconds;
                var (byDefaults, _) = InstanceDecoder.FromProbabilities(probabilities, c.Shape, defaults with { Method = InstanceDecoderKind.Watershed });
                watershed.Add(InstanceMetrics.Compute(byWatershed, referenceInstances[i], c.Shape));
                components.Add(InstanceMetrics.Compute(byComponents, referenceInstances[i], c.Shape));
                untuned.Add(InstanceMetrics.Compute(byDefaults, referenceInstances[i], c.Shape));
                if (depth == chosen && i < overlays) WriteOverlay(Path.Combine(runFolder, TrainingRun.OverlayFolder), c, byWatershed, referenceInstances[i]);
            }
            int n = Math.Max(1, validation.Count);
            results.Add(new InstanceDepthResult(depth, InstanceScores.Mean(watershed), InstanceScores.Mean(components), InstanceScores.Mean(untuned),
                byWatershedSettings, byComponentsSettings, predictSeconds / n, watershedSeconds / n, componentSeconds / n));
        }
        var report = new InstanceValidationReport(chosen, defaults, tuning.Select(c => c.Id).ToList(), validation.Select(c => c.Id).ToList(), results);
        AtomicFile.WriteAllText(Path.Combine(runFolder, InstanceValidationReport.FileName), ProjectJson.Serialize(report));
        InferenceChoices.Update(runFolder, c => c with
        {
            InstanceDecoders = results.Select(r => new TunedDecoders(r.Depth, r.WatershedDecoding, r.ConnectedComponentsDecoding)).ToList(),
        });
        return report;
    }

    /// <summary>The probabilities [background, interior, border] × voxels of a three-class prediction.</summary>
    public static float[] Probabilities(SegmentationPrediction p)
    {
        if (p.Classes != 3 || p.Probabilities is null)
            throw new ArgumentException($"instance decoding needs the probabilities of a three-class network (background, interior, border), got {p.Classes} classes");
        return p.Probabilities;
    }

    static void WriteOverlay(string folder, SegmentationCase c, int[] prediction, int[] reference)
    {
        int h = c.Shape[^2], w = c.Shape[^1], plane = h * w;
        int slice = c.Dimensions == 3 ? OverlayImage.BusiestSlice<int>(reference, plane) : 0;
        Directory.CreateDirectory(folder);
        InstanceOverlay.Write(Path.Combine(folder, $"{c.Id}_instances.png"), c.Image.AsSpan(slice * plane, plane), h, w,
            prediction.AsSpan(slice * plane, plane), reference.AsSpan(slice * plane, plane));
    }
}
