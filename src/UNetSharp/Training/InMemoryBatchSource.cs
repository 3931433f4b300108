using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Training;

/// <summary>
/// Batches from tensors held in memory, reshuffled every epoch by <see cref="EpochShuffle"/> (or in order for validation).
/// The last incomplete batch is dropped when shuffling (steady batch-norm statistics), kept otherwise.
/// </summary>
public sealed class InMemoryBatchSource : IBatchSource
{
    readonly Tensor images, labels;
    readonly int batchSize;
    readonly long? shuffleSeed;

    /// <param name="images">float32 [M, C, (D,) H, W]; kept, not copied or disposed.</param>
    /// <param name="labels">int64 [M, (D,) H, W].</param>
    /// <param name="shuffleSeed">null: fixed order (validation).</param>
    public InMemoryBatchSource(Tensor images, Tensor labels, int batchSize, long? shuffleSeed)
    {
        if (images.shape[0] != labels.shape[0]) throw new ArgumentException($"{images.shape[0]} images but {labels.shape[0]} label maps");
        if (batchSize <= 0 || batchSize > images.shape[0]) throw new ConfigurationException($"batch size must be between 1 and the {images.shape[0]} samples, got {batchSize}");
        if (labels.dtype != ScalarType.Int64) throw new ArgumentException($"labels must be int64, got {labels.dtype}", nameof(labels));
        this.images = images;
        this.labels = labels;
        this.batchSize = batchSize;
        this.shuffleSeed = shuffleSeed;
        long count = images.shape[0];
        BatchesPerEpoch = (int)(shuffleSeed is null ? (count + batchSize - 1) / batchSize : count / batchSize);
    }

    public int BatchesPerEpoch { get; }

    public (Tensor Images, Tensor Labels) GetBatch(int epoch, int batch)
    {
        int count = (int)images.shape[0];
        int[] order = shuffleSeed is long seed ? EpochShuffle.Permutation(seed, epoch, count) : Enumerable.Range(0, count).ToArray();
        long[] picked = order.Skip(batch * batchSize).Take(batchSize).Select(i => (long)i).ToArray();
        using var index = tensor(picked);
        return (images.index_select(0, index), labels.index_select(0, index));
    }
}
