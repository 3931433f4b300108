using static TorchSharp.torch;

namespace UNetSharp.Data.Augmentation;

/// <summary>
/// Rotates by k x 90 degrees in the in-plane axes (the last two: H, W), k in {1, 2, 3}. When H != W only k = 2 is
/// used, so the shape never changes and samples still stack into a batch.
/// </summary>
public sealed class RandomRot90 : IAugmentation
{
    public double Probability { get; init; } = 0.5;

    public (Tensor Image, Tensor Label) Apply(Tensor image, Tensor label, Random random)
    {
        if (random.NextDouble() >= Probability) return (image, label);
        long dims = label.dim();
        bool square = label.shape[dims - 2] == label.shape[dims - 1];
        int k = square ? random.Next(1, 4) : 2;
        return (image.rot90(k, (dims - 1, dims)), label.rot90(k, (dims - 2, dims - 1)));
    }
}
