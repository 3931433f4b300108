using UNetSharp.Data.Augmentation;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Data.Augmentation;

public class IntensityTransformTests
{
    public static TheoryData<string> Names() => ["gamma", "invertedGamma", "brightness", "contrast", "noise", "blur"];

    private static IAugmentation Make(string name) => name switch
    {
        "gamma" => new RandomGamma { Probability = 1 },
        "invertedGamma" => new RandomGamma { Probability = 1, Invert = true },
        "brightness" => new RandomBrightness { Probability = 1 },
        "contrast" => new RandomContrast { Probability = 1 },
        "noise" => new RandomGaussianNoise { Probability = 1 },
        "blur" => new RandomGaussianBlur { Probability = 1 },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void Intensity_transform_changes_image_but_not_label(string name)
    {
        using var scope = NewDisposeScope();
        var (image, label) = BlobImages.Pair([48, 40], seed: 4);
        var (outImage, outLabel) = new AugmentationPipeline([Make(name)]).Apply(image, label, seed: 11);
        Assert.True(BlobImages.Same(label, outLabel), $"{name} changed the label");
        Assert.Equal(image.shape, outImage.shape);
        Assert.True(outImage.sub(image).abs().max().item<float>() > 1e-4, $"{name} left the image unchanged");
    }

    [Fact]
    public void Brightness_scales_each_channel_by_one_factor_in_range()
    {
        using var scope = NewDisposeScope();
        var image = rand([2, 8, 8]) + 0.5f;
        var (outImage, _) = new AugmentationPipeline([new RandomBrightness { Probability = 1 }]).Apply(image, zeros([8, 8], ScalarType.Int64), seed: 1);
        for (int c = 0; c < 2; c++)
        {
            var ratio = (outImage[c] / image[c]);
            float lo = ratio.min().item<float>(), hi = ratio.max().item<float>();
            Assert.Equal(lo, hi, 4);
            Assert.InRange(lo, 0.75f, 1.25f);
        }
    }

    [Fact]
    public void Gamma_keeps_mean_and_std_and_contrast_keeps_range()
    {
        using var scope = NewDisposeScope();
        var image = rand([1, 32, 32], generator: new Generator(5, CPU)) * 4 - 1;
        var label = zeros([32, 32], ScalarType.Int64);
        var (gamma, _) = new AugmentationPipeline([new RandomGamma { Probability = 1, Gamma = new(1.4, 1.5) }]).Apply(image, label, seed: 2);
        Assert.Equal(image.mean().item<float>(), gamma.mean().item<float>(), 3);
        Assert.Equal(image.std().item<float>(), gamma.std().item<float>(), 3);
        Assert.True(gamma.sub(image).abs().max().item<float>() > 0.05);

        var (contrast, _) = new AugmentationPipeline([new RandomContrast { Probability = 1, Factor = new(1.2, 1.25) }]).Apply(image, label, seed: 2);
        Assert.True(contrast.min().item<float>() >= image.min().item<float>());
        Assert.True(contrast.max().item<float>() <= image.max().item<float>());
        Assert.True(contrast.std().item<float>() > image.std().item<float>() * 1.1, "contrast factor > 1 must widen the spread");
    }

    [Fact]
    public void Blur_keeps_a_constant_image_constant_up_to_the_border()
    {
        using var scope = NewDisposeScope();
        var image = full([1, 6, 10, 12], 2.5f);
        var (blurred, _) = new AugmentationPipeline([new RandomGaussianBlur { Probability = 1 }]).Apply(image, zeros([6, 10, 12], ScalarType.Int64), seed: 9);
        Assert.Equal(2.5f, blurred.min().item<float>(), 4);
        Assert.Equal(2.5f, blurred.max().item<float>(), 4);
    }

    [Fact]
    public void Noise_std_is_within_the_configured_range()
    {
        using var scope = NewDisposeScope();
        var image = zeros([1, 128, 128]);
        var (noisy, _) = new AugmentationPipeline([new RandomGaussianNoise { Probability = 1, Std = new(0.2, 0.3) }]).Apply(image, zeros([128, 128], ScalarType.Int64), seed: 3);
        Assert.InRange(noisy.std().item<float>(), 0.19f, 0.31f);
        Assert.InRange(noisy.mean().item<float>(), -0.02f, 0.02f);
    }
}
