using System.Diagnostics;
using Microsoft.Extensions.Logging;
using UNetSharp.Data;
using UNetSharp.Inference;
using UNetSharp.Instances;
using UNetSharp.IO;
using UNetSharp.Metrics;
using UNetSharp.Models;
using UNetSharp.Planning;
using UNetSharp.Reporting;
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

/// <summary>One pruned depth's validation instance scores with both decoders from the same probabilities.</summary>
public sealed record InstanceDepthResult(int Depth, InstanceScores Watershed, InstanceScores ConnectedComponents, double PredictSecondsPerCase,
    double WatershedSecondsPerCase, double ConnectedComponentsSecondsPerCase);

/// <summary>What instances.json of a run holds.</summary>
public sealed record InstanceValidationReport(int ChosenDepth, InstanceDecodingOptions Decoding, IReadOnlyList<string> ValidationCases, IReadOnlyList<InstanceDepthResult> Depths)
{
    public const string FileName = "instances.json";
}

/// <summary>
/// The instance segmentation part of a run's final evaluation: best.ckpt predicts the validation cases at every
/// pruned depth (sliding window, no TTA, CGM gating as in predict), each prediction is decoded by watershed and by
/// connected components with the same settings, and both are scored against the reference instances (DSB score,
/// F1@0.5, PQ/SQ/RQ, AJI, count error). Writes instances.json and overlays/&lt;case&gt;_instances.png (reference left,
/// watershed right, at the chosen depth).
/// </summary>
public static class InstanceDepthEvaluation
{
    public static InstanceValidationReport Run(string runFolder, IReadOnlyList<SegmentationCase> validation, IReadOnlyList<int[]> referenceInstances,
        InstanceDecodingOptions decoding, int overlays, ILogger? log = null)
    {
        var plan = ExperimentPlan.Load(runFolder);
        string best = Path.Combine(runFolder, File.Exists(Path.Combine(runFolder, Trainer.BestCheckpointName)) ? Trainer.BestCheckpointName : Trainer.LastCheckpointName);
        using var net = CheckpointFile.LoadModel(best);
        net.eval();
        using var noGrad = TorchSharp.torch.no_grad();
        int chosen = plan.PredictionDepth ?? net.Config.Depth;
        var results = new List<InstanceDepthResult>();
        foreach (int depth in net.PrunableDepths)
        {
            log?.LogInformation("instances: decoding depth L{Depth} on {Count} validation cases", depth, validation.Count);
            var predictor = new SlidingWindowPredictor(net, new SlidingWindowOptions
            {
                Depth = depth, TileSize = plan.PatchSize, MirrorAxes = Array.Empty<int>(), ReturnProbabilities = true,
            });
            var watershed = new List<InstanceMetrics>();
            var components = new List<InstanceMetrics>();
            double predictSeconds = 0, watershedSeconds = 0, componentSeconds = 0;
            for (int i = 0; i < validation.Count; i++)
            {
                using var scope = TorchSharp.torch.NewDisposeScope();
                var c = validation[i];
                var clock = Stopwatch.StartNew();
                var p = predictor.Predict(c);
                predictSeconds += clock.Elapsed.TotalSeconds;
                var interior = InteriorProbability(p);
                clock.Restart();
                var (byWatershed, _) = InstanceDecoder.FromClasses(p.Labels, interior, c.Shape, decoding with { Method = InstanceDecoderKind.Watershed });
                watershedSeconds += clock.Elapsed.TotalSeconds;
                clock.Restart();
                var (byComponents, _) = InstanceDecoder.FromClasses(p.Labels, interior, c.Shape, decoding with { Method = InstanceDecoderKind.ConnectedComponents });
                componentSeconds += clock.Elapsed.TotalSeconds;
                watershed.Add(InstanceMetrics.Compute(byWatershed, referenceInstances[i], c.Shape));
                components.Add(InstanceMetrics.Compute(byComponents, referenceInstances[i], c.Shape));
                if (depth == chosen && i < overlays) WriteOverlay(Path.Combine(runFolder, TrainingRun.OverlayFolder), c, byWatershed, referenceInstances[i]);
            }
            int n = Math.Max(1, validation.Count);
            results.Add(new InstanceDepthResult(depth, InstanceScores.Mean(watershed), InstanceScores.Mean(components), predictSeconds / n, watershedSeconds / n, componentSeconds / n));
        }
        var report = new InstanceValidationReport(chosen, decoding, validation.Select(c => c.Id).ToList(), results);
        AtomicFile.WriteAllText(Path.Combine(runFolder, InstanceValidationReport.FileName), ProjectJson.Serialize(report));
        return report;
    }

    /// <summary>The interior channel of a three-class prediction's probabilities, [spatial].</summary>
    public static ReadOnlySpan<float> InteriorProbability(SegmentationPrediction p)
    {
        if (p.Classes != 3 || p.Probabilities is null)
            throw new ArgumentException($"instance decoding needs the probabilities of a three-class network (background, interior, border), got {p.Classes} classes");
        int voxels = p.Labels.Length;
        return p.Probabilities.AsSpan(InstanceTargets.Interior * voxels, voxels);
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
