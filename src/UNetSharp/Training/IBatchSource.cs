using static TorchSharp.torch;

namespace UNetSharp.Training;

/// <summary>
/// Training (or validation) batches addressed by position, so that a resumed run sees exactly the batches an uninterrupted
/// run would: the same (epoch, batch) must always give the same tensors, whatever was asked before. A source that shuffles
/// or augments derives its randomness from (seed, epoch, batch) — e.g. <see cref="EpochShuffle"/> — instead of a running RNG.
/// </summary>
public interface IBatchSource
{
    /// <summary>Batches in one epoch (constant over the run).</summary>
    int BatchesPerEpoch { get; }

    /// <summary>
    /// Images float32 [N, C, (D,) H, W] and labels int64 [N, (D,) H, W] for a 0-based epoch and batch index.
    /// Returns new tensors: the caller disposes both after use.
    /// </summary>
    (Tensor Images, Tensor Labels) GetBatch(int epoch, int batch);
}
