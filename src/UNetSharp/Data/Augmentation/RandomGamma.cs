using static TorchSharp.torch;

namespace UNetSharp.Data.Augmentation;

/// <summary>
/// Gamma on each channel rescaled to [0, 1], then mapped back with the original mean and std (retain stats), as
/// nnU-Net. Half the time gamma is below 1, half above. With <see cref="Invert"/> the curve is applied to the
/// negated image (nnU-Net runs one inverted at p 0.1 and one plain at p 0.3).
/// </summary>
public sealed class RandomGamma : IAugmentation
{
    public double Probability { get; init; } = 0.3;
    public UniformRange Gamma { get; init; } = new(0.7, 1.5);
    public bool Invert { get; init; }

    public (Tensor Image, Tensor Label) Apply(Tensor image, Tensor label, Random random)
    {
        if (random.NextDouble() >= Probability) return (image, label);
        using var scope = NewDisposeScope();
        var channels = new List<Tensor>();
        for (long c = 0; c < image.shape[0]; c++)
        {
            double gamma = Gamma.Min < 1 && random.NextDouble() < 0.5
                ? new UniformRange(Gamma.Min, 1).Sample(random)
                : new UniformRange(Math.Max(Gamma.Min, 1), Gamma.Max).Sample(random);
            var x = Invert ? -image[c] : image[c];
            var (mean, std) = (x.mean(), x.std(unbiased: false));
            var lo = x.min();
            var range = x.max() - lo + 1e-7;
            var y = ((x - lo) / range).pow(gamma) * range + lo;
            y = (y - y.mean()) / (y.std(unbiased: false) + 1e-7) * std + mean;
            channels.Add(Invert ? -y : y);
        }
        return (stack(channels).MoveToOuterDisposeScope(), label);
    }
}
