using static TorchSharp.torch;

namespace UNetSharp.Data.Augmentation;

/// <summary>Blurs the image with a Gaussian of sigma drawn from <see cref="Sigma"/> voxels (nnU-Net: p 0.2, 0.5–1).</summary>
public sealed class RandomGaussianBlur : IAugmentation
{
    public double Probability { get; init; } = 0.2;
    public UniformRange Sigma { get; init; } = new(0.5, 1.0);

    public (Tensor Image, Tensor Label) Apply(Tensor image, Tensor label, Random random)
    {
        if (random.NextDouble() >= Probability) return (image, label);
        using var batched = image.unsqueeze(0);
        using var blurred = GaussianSmoothing.Smooth(batched, Sigma.Sample(random));
        return (blurred.squeeze(0), label);
    }
}
