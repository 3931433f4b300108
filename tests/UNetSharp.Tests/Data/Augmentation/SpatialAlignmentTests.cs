using UNetSharp.Data.Augmentation;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Data.Augmentation;

public class SpatialAlignmentTests
{
    public static TheoryData<string, int> Cases() => new()
    {
        { "flip", 2 }, { "flip", 3 }, { "rot90", 2 }, { "rot90", 3 },
        { "rotate", 2 }, { "rotate", 3 }, { "scale", 2 }, { "scale", 3 }, { "elastic", 2 }, { "elastic", 3 },
    };

    private static IAugmentation Make(string name) => name switch
    {
        "flip" => new RandomFlip { Probability = 1 },
        "rot90" => new RandomRot90 { Probability = 1 },
        "rotate" => new RandomSpatialTransform { RotationProbability = 1, ScaleProbability = 0, RotationDegrees = new(25, 40) },
        "scale" => new RandomSpatialTransform { RotationProbability = 0, ScaleProbability = 1, Scale = new(1.3, 1.4) },
        "elastic" => new RandomSpatialTransform { RotationProbability = 0, ScaleProbability = 0, ElasticProbability = 1, ElasticMagnitude = new(4, 5), ElasticSigma = new(10, 12) },
        _ => throw new ArgumentException(name),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Spatial_transform_moves_image_and_label_together(string name, int dims)
    {
        using var scope = NewDisposeScope();
        // Non-square shapes catch axis mix-ups; rot90 needs a square plane to rotate by 90 rather than 180.
        int[] shape = (dims, name) switch
        {
            (2, "rot90") => [128, 128],
            (2, _) => [112, 144],
            (3, "rot90") => [40, 56, 56],
            _ => [40, 56, 48],
        };
        var (image, label) = BlobImages.Pair(shape, blobs: 3, sigma: dims == 2 ? 12 : 8, seed: 7);
        Assert.Equal(1.0, BlobImages.Agreement(image, label));

        var pipeline = new AugmentationPipeline([Make(name)]);
        var (outImage, outLabel) = pipeline.Apply(image, label, seed: 3);

        Assert.Equal(image.shape, outImage.shape);
        Assert.Equal(label.shape, outLabel.shape);
        Assert.Equal(ScalarType.Int64, outLabel.dtype);
        // The transform really moved the structures (a no-op would pass the alignment check trivially).
        Assert.True(BlobImages.FractionChanged(label, outLabel) > 0.01, $"{name}: label barely changed");
        double agreement = BlobImages.Agreement(outImage, outLabel);
        Assert.True(agreement >= 0.99, $"{name} {dims}D: label matches thresholded image on only {agreement:P2}");
    }

    [Fact]
    public void Misaligned_transform_would_be_detected()
    {
        // Guards the check above: moving only the image must fail the 99% criterion.
        using var scope = NewDisposeScope();
        var (image, label) = BlobImages.Pair([112, 144], blobs: 3, sigma: 12, seed: 7);
        Assert.True(BlobImages.Agreement(image.flip(1), label) < 0.99);
    }

    [Fact]
    public void Labels_keep_only_their_original_class_values()
    {
        using var scope = NewDisposeScope();
        var (image, label) = BlobImages.Pair([64, 64], seed: 2);
        var multiClass = label * 3; // classes {0, 3}: nearest sampling must not invent 1 or 2
        var transform = new RandomSpatialTransform { RotationProbability = 1, ScaleProbability = 1, ElasticProbability = 1 };
        var (_, outLabel) = new AugmentationPipeline([transform]).Apply(image, multiClass, seed: 5);
        var values = outLabel.unique().Item1.data<long>().ToArray();
        Assert.Equal([0L, 3L], values);
    }
}
