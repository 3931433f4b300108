using static TorchSharp.torch;

namespace UNetSharp.Data.Augmentation;

/// <summary>Multiplies each channel by its own factor drawn from <see cref="Multiplier"/> (nnU-Net: p 0.15, 0.75–1.25).</summary>
public sealed class RandomBrightness : IAugmentation
{
    public double Probability { get; init; } = 0.15;
    public UniformRange Multiplier { get; init; } = new(0.75, 1.25);

    public (Tensor Image, Tensor Label) Apply(Tensor image, Tensor label, Random random)
    {
        if (random.NextDouble() >= Probability) return (image, label);
        var factors = Enumerable.Range(0, (int)image.shape[0]).Select(_ => (float)Multiplier.Sample(random)).ToArray();
        using var perChannel = tensor(factors).reshape([image.shape[0], .. Enumerable.Repeat(1L, (int)image.dim() - 1)]);
        return (image * perChannel, label);
    }
}
