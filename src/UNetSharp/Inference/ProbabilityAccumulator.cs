using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Inference;

/// <summary>
/// Streams tiles into image-size sums, so memory is one float32 [C, padded image] plus one [padded image], however
/// many tiles there are: Σ importance·p per class and Σ importance per voxel; the blend is their ratio.
/// </summary>
sealed class ProbabilityAccumulator : IDisposable
{
    readonly Tensor sum, weights;
    bool blended;

    public ProbabilityAccumulator(int classes, IReadOnlyList<int> paddedShape)
    {
        var spatial = paddedShape.Select(s => (long)s).ToArray();
        sum = zeros(new[] { (long)classes }.Concat(spatial).ToArray(), ScalarType.Float32);
        weights = zeros(spatial, ScalarType.Float32);
    }

    /// <summary>Adds one tile's probabilities [C, tile...] weighted by <paramref name="importance"/> [tile...] at <paramref name="start"/>.</summary>
    public void Add(Tensor probabilities, Tensor importance, IReadOnlyList<int> start)
    {
        if (blended) throw new InvalidOperationException("tiles cannot be added after blending");
        using var scope = NewDisposeScope();
        Tensor s = sum, w = weights;
        for (int a = 0; a < start.Count; a++)
        {
            s = s.narrow(a + 1, start[a], importance.shape[a]);
            w = w.narrow(a, start[a], importance.shape[a]);
        }
        s.addcmul_(probabilities, importance, 1);
        w.add_(importance);
    }

    /// <summary>Turns the sums into the blended probabilities, in place (once), and returns them [C, padded...],
    /// owned by the accumulator. Every voxel has a positive weight: tiles cover the image and no weight is 0.</summary>
    public Tensor Blend()
    {
        if (!blended) sum.div_(weights);   // in-place ops return the same tensor: nothing to dispose
        blended = true;
        return sum;
    }

    public void Dispose()
    {
        sum.Dispose();
        weights.Dispose();
    }
}
