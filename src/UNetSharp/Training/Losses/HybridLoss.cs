using static TorchSharp.torch;

namespace UNetSharp.Training.Losses;

/// <summary>
/// UNet 3+'s hybrid loss (Huang et al. 2020): focal + (1 − MS-SSIM) + IoU loss, each on probabilities of the foreground
/// channels (sigmoid for one channel, softmax for C ≥ 2 with background excluded from MS-SSIM and IoU). 2D and 3D.
/// </summary>
public sealed class HybridLoss : IHeadLoss
{
    readonly double alpha, gamma;

    public HybridLoss(double focalAlpha = FocalLoss.DefaultAlpha, double focalGamma = FocalLoss.DefaultGamma)
    {
        alpha = focalAlpha;
        gamma = focalGamma;
    }

    public IReadOnlyList<string> PartNames { get; } = new[] { "focal", "msssim", "iou" };

    public Tensor[] Parts(Tensor logits, Tensor labels) => new[]
    {
        FocalLoss.Compute(logits, labels, alpha, gamma),
        MsSsimLoss.Compute(logits, labels),
        IouLoss.Compute(logits, labels),
    };
}
