using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Training.Losses;

/// <summary><see cref="BceDiceLoss"/> (binary, one channel) on a label map: foreground = label &gt; 0. Parts: 0.5·BCE, 1 − Dice.</summary>
public sealed class BceDiceHeadLoss : IHeadLoss
{
    public IReadOnlyList<string> PartNames { get; } = new[] { "bce", "dice" };

    public Tensor[] Parts(Tensor logits, Tensor labels)
    {
        if (logits.shape[1] != 1) throw new ConfigurationException($"the BCE-Dice loss is binary (1 output channel); got {logits.shape[1]} channels, use ce-dice for multi-class");
        using var scope = NewDisposeScope();
        var y = LossTargets.Dense(labels, 1, logits.dtype);
        var bce = 0.5 * nn.functional.binary_cross_entropy_with_logits(logits, y);
        var p = logits.sigmoid().flatten(1);
        var t = y.flatten(1);
        var dice = (2 * (p * t).sum(1) + BceDiceLoss.Smooth) / (p.pow(2).sum(1) + t.pow(2).sum(1) + BceDiceLoss.Smooth);
        return new[] { bce.MoveToOuterDisposeScope(), (1 - dice.mean()).MoveToOuterDisposeScope() };
    }
}
