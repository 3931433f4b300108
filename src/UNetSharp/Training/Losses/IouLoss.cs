using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Training.Losses;

/// <summary>
/// Soft IoU loss of UNet 3+'s hybrid loss: 1 − Σpy / (Σp + Σy − Σpy) per sample and foreground channel, averaged.
/// No smoothing, as UNet 3+'s code; the union is clamped away from 0 only so an all-empty pair cannot divide by 0.
/// </summary>
public static class IouLoss
{
    /// <summary>Logits [N, C, ...], labels int64 [N, ...]; background (channel 0) is excluded for C ≥ 2.</summary>
    public static Tensor Compute(Tensor logits, Tensor labels)
    {
        using var scope = NewDisposeScope();
        int classes = (int)logits.shape[1];
        var p = LossTargets.Foreground(LossTargets.Probabilities(logits)).flatten(2);
        var y = LossTargets.Foreground(LossTargets.Dense(labels, classes, logits.dtype)).flatten(2);
        var intersection = (p * y).sum(2);
        var union = (p.sum(2) + y.sum(2) - intersection).clamp_min(1e-12);
        return (1 - (intersection / union).mean()).MoveToOuterDisposeScope();
    }
}
