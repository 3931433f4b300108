using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Training.Losses;

/// <summary>
/// Focal loss (Lin et al. 2017), the first term of UNet 3+'s hybrid loss, averaged over voxels.
/// One channel: −α·(1−p)^γ·log p on foreground, −(1−α)·p^γ·log(1−p) on background (α = 0.25, γ = 2 as RetinaNet).
/// C ≥ 2 channels: −(1−p_t)^γ·log p_t of the softmax probability of the true class (no α: one α per class would be arbitrary).
/// </summary>
public static class FocalLoss
{
    public const double DefaultAlpha = 0.25, DefaultGamma = 2.0;

    /// <summary>Logits [N, C, ...], labels int64 [N, ...].</summary>
    public static Tensor Compute(Tensor logits, Tensor labels, double alpha = DefaultAlpha, double gamma = DefaultGamma)
    {
        using var scope = NewDisposeScope();
        Tensor loss;
        if (logits.shape[1] == 1)
        {
            var y = LossTargets.Dense(labels, 1, logits.dtype);
            // log σ(x) and log(1 − σ(x)) = log σ(−x) from logsigmoid: finite for any logit.
            var p = logits.sigmoid();
            var positive = -alpha * (1 - p).pow(gamma) * nn.functional.logsigmoid(logits);
            var negative = -(1 - alpha) * p.pow(gamma) * nn.functional.logsigmoid(-logits);
            loss = (y * positive + (1 - y) * negative).mean();
        }
        else
        {
            var logP = logits.log_softmax(1).gather(1, labels.unsqueeze(1));
            loss = (-(1 - logP.exp()).pow(gamma) * logP).mean();
        }
        return loss.MoveToOuterDisposeScope();
    }
}
