using static TorchSharp.torch;

namespace UNetSharp.Data.Augmentation;

/// <summary>
/// Runs transforms in order on one sample or on each sample of a batch. Reproducible: the same seed (or the same
/// state of the caller's <see cref="Random"/>) gives identical output; no global random state is used.
/// </summary>
public sealed class AugmentationPipeline(IEnumerable<IAugmentation> transforms)
{
    public IReadOnlyList<IAugmentation> Transforms { get; } = transforms.ToArray();

    /// <summary>Returns new tensors the caller owns (inputs are not modified or disposed).</summary>
    public (Tensor Image, Tensor Label) Apply(Tensor image, Tensor label, Random random)
    {
        if (label.dim() + 1 != image.dim() || label.dim() is < 2 or > 3)
            throw new ArgumentException($"expected image [C,(D,)H,W] and label [(D,)H,W], got {Shape(image)} and {Shape(label)}");
        using var scope = NewDisposeScope();
        var (img, lab) = (image, label);
        foreach (var t in Transforms) (img, lab) = t.Apply(img, lab, random);
        // Never hand back the caller's own tensor: ownership of the result is then always the caller's.
        if (ReferenceEquals(img, image)) img = image.clone();
        if (ReferenceEquals(lab, label)) lab = label.clone();
        return (img.MoveToOuterDisposeScope(), lab.MoveToOuterDisposeScope());
    }

    public (Tensor Image, Tensor Label) Apply(Tensor image, Tensor label, int seed) => Apply(image, label, new Random(seed));

    /// <summary>Images [N, C, (D,) H, W], labels [N, (D,) H, W]; sample i uses its own seed derived from (seed, i).</summary>
    public (Tensor Images, Tensor Labels) ApplyBatch(Tensor images, Tensor labels, int seed)
    {
        using var scope = NewDisposeScope();
        var outImages = new List<Tensor>();
        var outLabels = new List<Tensor>();
        for (long i = 0; i < images.shape[0]; i++)
        {
            var (img, lab) = Apply(images[i], labels[i], DeterministicSeed.Mix(seed, i));
            outImages.Add(img); outLabels.Add(lab);
        }
        return (stack(outImages).MoveToOuterDisposeScope(), stack(outLabels).MoveToOuterDisposeScope());
    }

    /// <summary>nnU-Net's default training augmentation (without simulated low resolution), in its order.</summary>
    public static AugmentationPipeline NnUNetDefault() => new(
    [
        new RandomSpatialTransform(),
        new RandomGaussianNoise(),
        new RandomGaussianBlur(),
        new RandomBrightness(),
        new RandomContrast(),
        new RandomGamma { Probability = 0.1, Invert = true },
        new RandomGamma(),
        new RandomFlip(),
    ]);

    /// <summary>The UNet# authors' augmentation: rot90, flips, brightness and contrast.</summary>
    public static AugmentationPipeline UNetSharpDefault() => new(
    [
        new RandomRot90(),
        new RandomFlip(),
        new RandomBrightness(),
        new RandomContrast(),
    ]);

    private static string Shape(Tensor t) => "[" + string.Join(",", t.shape) + "]";
}

