using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Training.Losses;

/// <summary>
/// The UNet# authors' loss for binary segmentation: 0.5·BCEWithLogits + (1 − Dice), with the soft Dice
/// (2Σpy + 1e-5) / (Σp² + Σy² + 1e-5) computed per sample and averaged (docs/UNET-SHARP.md §4).
/// Logits [N, 1, ...], target [N, 1, ...] or [N, ...] of 0/1.
/// </summary>
public static class BceDiceLoss
{
    public const double Smooth = 1e-5;

    public static Tensor Compute(Tensor logits, Tensor target)
    {
        using var scope = NewDisposeScope();
        var y = target.dim() == logits.dim() ? target.to_type(logits.dtype) : target.unsqueeze(1).to_type(logits.dtype);
        var bce = nn.functional.binary_cross_entropy_with_logits(logits, y);
        var p = logits.sigmoid().flatten(1);
        var t = y.flatten(1);
        var dice = (2 * (p * t).sum(1) + Smooth) / (p.pow(2).sum(1) + t.pow(2).sum(1) + Smooth);
        return (0.5 * bce + (1 - dice.mean())).MoveToOuterDisposeScope();
    }
}
