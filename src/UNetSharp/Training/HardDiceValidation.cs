using TorchSharp;
using UNetSharp.Models;
using static TorchSharp.torch;

namespace UNetSharp.Training;

/// <summary>
/// The default validation metric: hard Dice 2TP/(2TP+FP+FN) per case and foreground class from the main head at full depth
/// (threshold logit 0 for one class, argmax otherwise; raw head, no CGM gating), NaN when both prediction and reference are
/// empty (excluded from the mean, as nnU-Net), then the mean per class and the mean over classes as the score.
/// A stand-in until the metrics library is wired in: the trainer takes any Func&lt;SegmentationNetwork, ValidationResult&gt;.
/// </summary>
public static class HardDiceValidation
{
    /// <summary>A validator over every batch of <paramref name="source"/> (epoch 0). The trainer calls it in eval mode without gradients.</summary>
    public static Func<SegmentationNetwork, ValidationResult> Create(IBatchSource source) => model =>
    {
        int foreground = Math.Max(1, model.Config.Classes - 1);
        var perClass = Enumerable.Range(0, foreground).Select(_ => new List<double>()).ToArray();
        for (int b = 0; b < source.BatchesPerEpoch; b++)
        {
            using var scope = NewDisposeScope();
            var (images, labels) = source.GetBatch(0, b);
            var dice = PerCaseDice(model.forward(images).Logits, labels);
            for (int n = 0; n < dice.GetLength(0); n++)
                for (int c = 0; c < foreground; c++) perClass[c].Add(dice[n, c]);
        }
        double[] means = perClass.Select(MeanIgnoringNaN).ToArray();
        return new ValidationResult(MeanIgnoringNaN(means), means);
    };

    /// <summary>Hard Dice [case, foreground class] of logits [N, C, ...] against labels [N, ...]; NaN where both are empty.</summary>
    public static double[,] PerCaseDice(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        int classes = (int)logits.shape[1];
        var predicted = classes == 1 ? (logits.squeeze(1) > 0).to_type(ScalarType.Int64) : logits.argmax(1);
        var reference = classes == 1 ? (labels > 0).to_type(ScalarType.Int64) : labels;
        int foreground = Math.Max(1, classes - 1);
        var result = new double[logits.shape[0], foreground];
        for (int c = 0; c < foreground; c++)
        {
            var p = (predicted == c + 1).flatten(1).to_type(ScalarType.Float64);
            var r = (reference == c + 1).flatten(1).to_type(ScalarType.Float64);
            double[] tp = (p * r).sum(1).data<double>().ToArray();
            double[] sizes = (p.sum(1) + r.sum(1)).data<double>().ToArray();
            for (int n = 0; n < tp.Length; n++) result[n, c] = sizes[n] == 0 ? double.NaN : 2 * tp[n] / sizes[n];
        }
        return result;
    }

    static double MeanIgnoringNaN(IEnumerable<double> values)
    {
        var finite = values.Where(v => !double.IsNaN(v)).ToList();
        return finite.Count == 0 ? double.NaN : finite.Average();
    }
}
