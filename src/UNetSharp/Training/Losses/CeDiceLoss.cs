using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Training.Losses;

/// <summary>
/// nnU-Net's multi-class loss: softmax cross-entropy + (1 − soft Dice), Dice = (2TP + 1e-5) / (2TP + FP + FN + 1e-5) on
/// softmax probabilities, per sample and foreground class (background, class 0, excluded as nnU-Net's do_bg = false),
/// averaged over classes and samples. With <c>batchDice</c> TP/FP/FN are summed over the batch first (nnU-Net's batch
/// Dice, steadier for small structures). nnU-Net adds −Dice; we add 1 − Dice so a perfect prediction scores 0 (same gradient).
/// Needs C ≥ 2 channels.
/// </summary>
public sealed class CeDiceLoss : IHeadLoss
{
    public const double Smooth = 1e-5;
    readonly bool batchDice;

    public CeDiceLoss(bool batchDice = false) => this.batchDice = batchDice;

    public IReadOnlyList<string> PartNames { get; } = new[] { "ce", "dice" };

    public Tensor[] Parts(Tensor logits, Tensor labels)
    {
        int classes = (int)logits.shape[1];
        if (classes < 2) throw new ConfigurationException("the CE-Dice loss needs at least 2 output channels (class 0 = background); use bce-dice for binary");
        using var scope = NewDisposeScope();
        var ce = nn.functional.cross_entropy(logits, labels);
        var p = LossTargets.Foreground(logits.softmax(1)).flatten(2);
        var y = LossTargets.Foreground(LossTargets.Dense(labels, classes, logits.dtype)).flatten(2);
        long[] axes = batchDice ? new long[] { 0, 2 } : new long[] { 2 };
        var tp = (p * y).sum(axes);
        var fp = (p * (1 - y)).sum(axes);
        var fn = ((1 - p) * y).sum(axes);
        var dice = (2 * tp + Smooth) / (2 * tp + fp + fn + Smooth);
        return new[] { ce.MoveToOuterDisposeScope(), (1 - dice.mean()).MoveToOuterDisposeScope() };
    }
}
