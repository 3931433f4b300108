using System.Diagnostics;
using UNetSharp.Data;
using UNetSharp.Inference;
using UNetSharp.Metrics;
using UNetSharp.Models;

namespace UNetSharp.Pipeline;

/// <summary>The validation cases predicted at one pruned depth, with metrics and time per case.</summary>
public sealed record DepthResult(int Depth, EvaluationSummary Summary, double SecondsPerCase, IReadOnlyList<(SegmentationCase Case, int[] Prediction)> Predictions)
{
    /// <summary>Mean Dice over foreground classes (NaN classes skipped).</summary>
    public double MeanDice
    {
        get
        {
            var dice = Summary.Classes.Select(c => c.Dice).Where(d => !double.IsNaN(d)).ToList();
            return dice.Count == 0 ? double.NaN : dice.Average();
        }
    }
}

/// <summary>Predicts cases with the sliding window at a depth and scores them (Dice per class; optionally HD95/ASSD).</summary>
public static class DepthEvaluation
{
    public static DepthResult Run(SegmentationNetwork net, IReadOnlyList<SegmentationCase> cases, int depth, IReadOnlyList<int> patch,
        bool surfaceDistances, bool keepPredictions)
    {
        var predictor = new SlidingWindowPredictor(net, new SlidingWindowOptions { Depth = depth, TileSize = patch, MirrorAxes = Array.Empty<int>() });
        // the 2D configuration of volumes validates on whole volumes ([slice, a, b]), slice by slice
        var slices = new SliceStackPredictor(predictor);
        SegmentationPrediction Predict(SegmentationCase c) =>
            net.Config.Dimensions == 2 && c.Dimensions == 3 ? slices.Predict(c.Image, c.Channels, c.Shape) : predictor.Predict(c);
        int foreground = Math.Max(1, net.Config.Classes - 1);
        var labels = Enumerable.Range(1, foreground).ToArray();
        var results = new List<CaseEvaluation>();
        var predictions = new List<(SegmentationCase, int[])>();
        // One untimed prediction first: the first forward at a depth pays libtorch's one-off set-up, which would otherwise
        // make whichever depth is measured first look slowest. Only prediction is timed, not the metrics.
        if (cases.Count > 0) Predict(cases[0]);
        var watch = new Stopwatch();
        foreach (var c in cases)
        {
            watch.Start();
            int[] predicted = Predict(c).LabelsAsInt();
            watch.Stop();
            results.Add(CaseEvaluation.Evaluate(predicted, c.Label!, c.Shape, c.Spacing, labels, c.Id, surfaceDistances));
            if (keepPredictions) predictions.Add((c, predicted));
        }
        return new DepthResult(depth, new EvaluationSummary(results), watch.Elapsed.TotalSeconds / Math.Max(1, cases.Count), predictions);
    }
}
