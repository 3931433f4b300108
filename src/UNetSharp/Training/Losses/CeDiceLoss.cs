using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Training.Losses;

/// <summary>
/// nnU-Net's multi-class loss: softmax cross-entropy + (1 − soft Dice), Dice = (2TP + 1e-5) / (2TP + FP + FN + 1e-5) on
/// softmax probabilities, per sample and foreground class (background, class 0, excluded as nnU-Net's do_bg = false),
/// averaged over classes and samples. With <c>batchDice</c> TP/FP/FN are summed over the batch first (nnU-Net's batch
/// Dice, steadier for small structures). nnU-Net adds −Dice; we add 1 − Dice so a perfect prediction scores 0 (same gradient).
/// Needs C ≥ 2 channels. Optional per-class CE weights (torch's weighted mean: Σ w_y·nll / Σ w_y) leave the Dice term as is.
/// </summary>
public sealed class CeDiceLoss : IHeadLoss
{
    public const double Smooth = 1e-5;
    readonly bool batchDice;
    readonly float[]? classWeights;

    public CeDiceLoss(bool batchDice = false, double[]? classWeights = null)
    {
        this.batchDice = batchDice;
        this.classWeights = classWeights?.Select(w => (float)w).ToArray();
    }

    public IReadOnlyList<string> PartNames { get; } = new[] { "ce", "dice" };

    public Tensor[] Parts(Tensor logits, Tensor labels)
    {
        int classes = (int)logits.shape[1];
        if (classes < 2) throw new ConfigurationException("the CE-Dice loss needs at least 2 output channels (class 0 = background); use bce-dice for binary");
        using var scope = NewDisposeScope();
        if (classWeights is not null && classWeights.Length != classes)
            throw new ConfigurationException($"class weights: {classWeights.Length} given for {classes} output classes");
        var ce = classWeights is null
            ? nn.functional.cross_entropy(logits, labels)
            : nn.functional.cross_entropy(logits, labels, weight: tensor(classWeights, dtype: logits.dtype, device: logits.device));
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
