using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Training.Losses;

/// <summary>Turns an int64 label map [N, (D,) H, W] into the float targets each loss compares with.</summary>
public static class LossTargets
{
    /// <summary>
    /// Per-channel targets shaped like the logits [N, C, ...]: for C = 1 the foreground mask (label &gt; 0, so instance
    /// ids also count as foreground), for C ≥ 2 the one-hot encoding of classes 0..C-1.
    /// </summary>
    public static Tensor Dense(Tensor labels, int classes, ScalarType dtype = ScalarType.Float32)
    {
        if (classes == 1) return (labels > 0).unsqueeze(1).to_type(dtype);
        long[] order = new long[labels.dim() + 1];
        order[0] = 0;
        order[1] = labels.dim();
        for (int d = 1; d < labels.dim(); d++) order[d + 1] = d;
        return nn.functional.one_hot(labels, classes).permute(order).to_type(dtype);
    }

    /// <summary>"The mask has class c" per sample, [N, C]; for C = 1 "the mask has any foreground".</summary>
    public static Tensor Presence(Tensor labels, int classes) =>
        Dense(labels, classes).flatten(2).amax(2);

    /// <summary>Probabilities of the logits: sigmoid for one channel, softmax over channels otherwise.</summary>
    public static Tensor Probabilities(Tensor logits) => logits.shape[1] == 1 ? logits.sigmoid() : logits.softmax(1);

    /// <summary>The channels that count as foreground: all for C = 1, 1..C-1 for C ≥ 2 (background excluded).</summary>
    public static Tensor Foreground(Tensor perChannel) => perChannel.shape[1] == 1 ? perChannel : perChannel.narrow(1, 1, perChannel.shape[1] - 1);
}
