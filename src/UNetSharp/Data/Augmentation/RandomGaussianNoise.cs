using static TorchSharp.torch;

namespace UNetSharp.Data.Augmentation;

/// <summary>Adds zero-mean Gaussian noise with a standard deviation drawn from <see cref="Std"/> (nnU-Net: p 0.1, 0–0.1).</summary>
public sealed class RandomGaussianNoise : IAugmentation
{
    public double Probability { get; init; } = 0.1;
    public UniformRange Std { get; init; } = new(0, 0.1);

    public (Tensor Image, Tensor Label) Apply(Tensor image, Tensor label, Random random)
    {
        if (random.NextDouble() >= Probability) return (image, label);
        double std = Std.Sample(random);
        using var generator = DeterministicSeed.TorchGenerator(random);
        using var noise = randn(image.shape, dtype: image.dtype, generator: generator);
        return (image + noise * std, label);
    }
}
