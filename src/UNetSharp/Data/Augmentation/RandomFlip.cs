using static TorchSharp.torch;

namespace UNetSharp.Data.Augmentation;

/// <summary>Mirrors each spatial axis independently with <see cref="Probability"/> (nnU-Net mirrors all axes with 0.5).</summary>
public sealed class RandomFlip : IAugmentation
{
    public double Probability { get; init; } = 0.5;

    /// <summary>Spatial axes that may be flipped (0 = first spatial axis); null means all.</summary>
    public int[]? Axes { get; init; }

    public (Tensor Image, Tensor Label) Apply(Tensor image, Tensor label, Random random)
    {
        int dims = (int)label.dim();
        var axes = (Axes ?? Enumerable.Range(0, dims).ToArray()).Where(_ => random.NextDouble() < Probability).ToArray();
        if (axes.Length == 0) return (image, label);
        return (image.flip(axes.Select(a => (long)a + 1).ToArray()), label.flip(axes.Select(a => (long)a).ToArray()));
    }
}
