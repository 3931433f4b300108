using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Inference;

/// <summary>
/// Gates segmentation probabilities with CGM presence (docs/UNET-SHARP.md §3): hard p_seg × 1[p_cls ≥ τ] or soft
/// p_seg × p_cls. Binary networks (one class) gate their only channel; multi-class networks gate the foreground
/// classes 1..C−1 and leave background (class 0) alone, since "background present" carries no information.
///
/// Hard gating and argmax: a gated-off class has probability 0 everywhere, so argmax never picks it; its voxels go
/// to the most probable remaining class — background, or another foreground class if that one is more probable
/// than background there. Gated probabilities of a multi-class network no longer sum to 1. For one class a gated
/// voxel falls below the 0.5 threshold and becomes background.
/// </summary>
public static class CgmGate
{
    /// <summary>Default threshold τ of the hard gate.</summary>
    public const double DefaultThreshold = 0.5;

    /// <summary>Gated copy of <paramref name="probabilities"/> [N, C, ...], given presence logits [N, C].</summary>
    public static Tensor Apply(Tensor probabilities, Tensor presenceLogits, GatingMode mode, double threshold = DefaultThreshold)
    {
        using var presence = presenceLogits.sigmoid();
        return ApplyPresence(probabilities, presence, mode, threshold);
    }

    /// <summary>Gated copy of <paramref name="probabilities"/> [N, C, ...], given presence probabilities [N, C].</summary>
    public static Tensor ApplyPresence(Tensor probabilities, Tensor presence, GatingMode mode, double threshold = DefaultThreshold)
    {
        if (mode == GatingMode.Off) return probabilities.clone();
        using var factors = Factors(probabilities, presence, mode, threshold);
        return probabilities * factors;
    }

    /// <summary>Gates <paramref name="probabilities"/> [N, C, ...] in place (no second copy of a large map).</summary>
    public static void ApplyPresenceInPlace(Tensor probabilities, Tensor presence, GatingMode mode, double threshold = DefaultThreshold)
    {
        if (mode == GatingMode.Off) return;
        using var factors = Factors(probabilities, presence, mode, threshold);
        probabilities.mul_(factors);
    }

    /// <summary>Per-class factors [N, C, 1, ...] that broadcast over the spatial axes.</summary>
    static Tensor Factors(Tensor probabilities, Tensor presence, GatingMode mode, double threshold)
    {
        if (probabilities.dim() < 3 || presence.dim() != 2 || presence.shape[0] != probabilities.shape[0] || presence.shape[1] != probabilities.shape[1])
            throw new ArgumentException($"probabilities must be [N, C, ...] and presence [N, C]; got [{string.Join(", ", probabilities.shape)}] and [{string.Join(", ", presence.shape)}]");
        if (threshold is < 0 or > 1) throw new ConfigurationException($"CGM threshold must be in [0, 1], got {threshold}");
        using var scope = NewDisposeScope();
        var factors = mode == GatingMode.Hard ? presence.ge(threshold).to_type(probabilities.dtype) : presence.to_type(probabilities.dtype).clone();
        if (presence.shape[1] > 1) factors.narrow(1, 0, 1).fill_(1.0);
        var shape = factors.shape.Concat(Enumerable.Repeat(1L, (int)probabilities.dim() - 2)).ToArray();
        return factors.reshape(shape).MoveToOuterDisposeScope();
    }
}
