using static TorchSharp.torch;

namespace UNetSharp.Data.Augmentation;

/// <summary>
/// Stretches each channel about its mean by a factor from <see cref="Factor"/>, then clips to the channel's
/// original range so no new extremes appear (nnU-Net: p 0.15, 0.75–1.25, preserve range).
/// </summary>
public sealed class RandomContrast : IAugmentation
{
    public double Probability { get; init; } = 0.15;
    public UniformRange Factor { get; init; } = new(0.75, 1.25);

    public (Tensor Image, Tensor Label) Apply(Tensor image, Tensor label, Random random)
    {
        if (random.NextDouble() >= Probability) return (image, label);
        using var scope = NewDisposeScope();
        var channels = new List<Tensor>();
        for (long c = 0; c < image.shape[0]; c++)
        {
            var x = image[c];
            double f = Factor.Sample(random);
            channels.Add(((x - x.mean()) * f + x.mean()).clamp(x.min(), x.max()));
        }
        return (stack(channels).MoveToOuterDisposeScope(), label);
    }
}
