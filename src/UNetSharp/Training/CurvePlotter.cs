namespace UNetSharp.Training;

/// <summary>One point of a training curve.</summary>
public sealed record CurvePoint(int Epoch, double TrainLoss, double? ValidationLoss, double? ValidationMetric);

/// <summary>
/// Draws training curves into a picture file. The core library has no plotting library (a consumer that only trains or
/// predicts should not carry one); UNetSharp.Reporting's <c>TrainingCurves.Plotter</c> implements this with ScottPlot.
/// A training run without a plotter still writes history.csv, from which the curves can be drawn later.
/// </summary>
public interface ICurvePlotter
{
    void Write(string path, IReadOnlyList<CurvePoint> points, string metricName = "validation Dice");
}
