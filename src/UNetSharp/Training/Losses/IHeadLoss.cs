using static TorchSharp.torch;

namespace UNetSharp.Training.Losses;

/// <summary>A loss on one head's logits; split into named parts (for logging) whose sum is the loss.</summary>
public interface IHeadLoss
{
    /// <summary>Names of the parts, in the order <see cref="Parts"/> returns them, e.g. "bce", "dice".</summary>
    IReadOnlyList<string> PartNames { get; }

    /// <summary>Logits [N, C, (D,) H, W], labels int64 [N, (D,) H, W]; one scalar per part.</summary>
    Tensor[] Parts(Tensor logits, Tensor labels);
}
