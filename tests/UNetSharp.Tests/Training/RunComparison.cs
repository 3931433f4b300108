using TorchSharp;
using UNetSharp.Models;
using UNetSharp.Training;

namespace UNetSharp.Tests.Training;

/// <summary>Bitwise comparison of two runs: the reproducible history columns and every weight and buffer.</summary>
public static class RunComparison
{
    /// <summary>The history without wall times, as text with round-trip numbers (so equality is bitwise).</summary>
    public static string Curve(TrainingState state) => string.Join("\n", state.History.Select(r =>
        FormattableString.Invariant($"{r.Epoch} {r.LearningRate:R} {r.TrainLoss:R} {string.Join(" ", r.LossParts.Select(p => p.ToString("R", System.Globalization.CultureInfo.InvariantCulture)))} {r.ValidationScore:R}")));

    public static void AssertSameWeights(SegmentationNetwork expected, SegmentationNetwork actual)
    {
        var a = expected.state_dict();
        var b = actual.state_dict();
        Assert.Equal(a.Keys.OrderBy(k => k), b.Keys.OrderBy(k => k));
        var different = a.Keys.Where(k => !a[k].shape.SequenceEqual(b[k].shape) || !a[k].eq(b[k]).all().item<bool>()).ToList();
        Assert.True(different.Count == 0, $"weights differ: {string.Join(", ", different)}; max |Δ| of the first {MaxDiff(a[different.FirstOrDefault() ?? a.Keys.First()], b[different.FirstOrDefault() ?? a.Keys.First()])}");
    }

    static double MaxDiff(torch.Tensor x, torch.Tensor y) => (x.to_type(torch.ScalarType.Float64) - y.to_type(torch.ScalarType.Float64)).abs().max().item<double>();
}
