using UNetSharp.Data.Sampling;
using UNetSharp.Training;
using static TorchSharp.torch;

namespace UNetSharp.Pipeline;

/// <summary>
/// Feeds the trainer from the background patch loader. Batch (epoch, k) depends only on the loader's seed, so a
/// resumed run asking for a position out of sequence gets the same batch after a loader restart there.
/// </summary>
public sealed class PatchBatchSource(ICaseSource cases, LoaderOptions options) : IBatchSource, IDisposable
{
    PatchLoader? loader;

    public int BatchesPerEpoch => options.BatchesPerEpoch;

    public (Tensor Images, Tensor Labels) GetBatch(int epoch, int batch)
    {
        var wanted = new LoaderPosition(epoch, batch);
        if (loader is null || loader.Position != wanted)
        {
            loader?.Dispose();
            loader = new PatchLoader(cases, options, wanted);
        }
        var next = loader.Next(); // the trainer disposes the two tensors
        return (next.Image, next.Label);
    }

    public void Dispose() => loader?.Dispose();
}
