using UNetSharp.Data.Augmentation;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Data.Augmentation;

[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public class ReproducibilityTests
{
    private static AugmentationPipeline Everything() => new(
    [
        new RandomSpatialTransform { RotationProbability = 1, ScaleProbability = 1, ElasticProbability = 1 },
        new RandomRot90 { Probability = 1 },
        new RandomGaussianNoise { Probability = 1 },
        new RandomGaussianBlur { Probability = 1 },
        new RandomBrightness { Probability = 1 },
        new RandomContrast { Probability = 1 },
        new RandomGamma { Probability = 1 },
        new RandomFlip(),
    ]);

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    public void Same_seed_gives_identical_output_and_another_seed_differs(int dims)
    {
        using var scope = NewDisposeScope();
        var (image, label) = BlobImages.Pair(dims == 2 ? [48, 48] : [24, 32, 32], seed: 5);
        var pipeline = Everything();
        var a = pipeline.Apply(image, label, seed: 42);
        // Global torch RNG use in between must not matter: the pipeline owns its randomness.
        manual_seed(999); _ = rand(10);
        var b = pipeline.Apply(image, label, seed: 42);
        var c = pipeline.Apply(image, label, seed: 43);
        Assert.True(BlobImages.Same(a.Image, b.Image));
        Assert.True(BlobImages.Same(a.Label, b.Label));
        Assert.False(BlobImages.Same(a.Image, c.Image));
    }

    [Fact]
    public void Batch_application_is_per_sample_and_reproducible()
    {
        using var scope = NewDisposeScope();
        var (image, label) = BlobImages.Pair([40, 40], seed: 6);
        var images = stack([image, image, image]);
        var labels = stack([label, label, label]);
        var pipeline = Everything();
        var first = pipeline.ApplyBatch(images, labels, seed: 8);
        var second = pipeline.ApplyBatch(images, labels, seed: 8);
        Assert.Equal([3L, 1, 40, 40], first.Images.shape);
        Assert.Equal([3L, 40, 40], first.Labels.shape);
        Assert.True(BlobImages.Same(first.Images, second.Images));
        // Each sample draws its own parameters, so identical inputs come out different.
        Assert.False(BlobImages.Same(first.Images[0], first.Images[1]));

        // Spatial-only batch: every sample keeps its own image/label alignment.
        var spatial = new AugmentationPipeline([new RandomSpatialTransform { RotationProbability = 1 }, new RandomFlip()]);
        var bigImage = BlobImages.Pair([96, 96], sigma: 12, seed: 6);
        var moved = spatial.ApplyBatch(stack([bigImage.Image, bigImage.Image]), stack([bigImage.Label, bigImage.Label]), seed: 8);
        for (int i = 0; i < 2; i++) Assert.True(BlobImages.Agreement(moved.Images[i], moved.Labels[i]) >= 0.99);
    }

    [Fact]
    public void Pipeline_returns_tensors_the_caller_owns_and_leaves_inputs_intact()
    {
        using var scope = NewDisposeScope();
        var (image, label) = BlobImages.Pair([32, 32], seed: 1);
        var copy = image.clone();
        var (outImage, outLabel) = new AugmentationPipeline([new RandomFlip { Probability = 0 }]).Apply(image, label, seed: 1);
        Assert.NotSame(image, outImage);
        Assert.NotSame(label, outLabel);
        outImage.Dispose(); outLabel.Dispose();
        Assert.True(BlobImages.Same(image, copy));
    }
}
