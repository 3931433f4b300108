using UNetSharp.Data.Augmentation;
using static TorchSharp.torch;

namespace UNetSharp.Tests.Data.Augmentation;

/// <summary>Checks the geometry itself (not only image/label agreement): voxel-space rotation, scale, displacement size.</summary>
public class SpatialGeometryTests
{
    private static Tensor CentredDisk(int h, int w, double radius)
    {
        var values = new float[h * w];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
                values[y * w + x] = Math.Pow(y - (h - 1) / 2.0, 2) + Math.Pow(x - (w - 1) / 2.0, 2) <= radius * radius ? 1f : 0f;
        return tensor(values, [1, h, w]);
    }

    private static Tensor Warp(IAugmentation t, Tensor image) =>
        new AugmentationPipeline([t]).Apply(image, zeros([image.shape[1], image.shape[2]], ScalarType.Int64), seed: 1).Image;

    [Fact]
    public void Rotation_of_a_non_square_patch_keeps_a_disk_round()
    {
        using var scope = NewDisposeScope();
        var disk = CentredDisk(64, 128, 20);
        var rotated = Warp(new RandomSpatialTransform { RotationProbability = 1, ScaleProbability = 0, RotationDegrees = new(90, 90) }, disk);
        // A rotation in normalised coordinates would squash the disk into a 2:1 ellipse on this 64x128 patch.
        double changed = BlobImages.FractionChanged(disk.gt(0.5), rotated.gt(0.5));
        Assert.True(changed < 0.005, $"{changed:P2} of voxels changed");
    }

    [Fact]
    public void Scale_above_one_magnifies()
    {
        using var scope = NewDisposeScope();
        var disk = CentredDisk(96, 80, 15);
        var zoomed = Warp(new RandomSpatialTransform { RotationProbability = 0, ScaleProbability = 1, Scale = new(1.4, 1.4) }, disk);
        double ratio = zoomed.gt(0.5).sum().item<long>() / (double)disk.sum().item<float>();
        Assert.InRange(ratio, 1.96 * 0.95, 1.96 * 1.05);
    }

    [Fact]
    public void Elastic_displacement_peaks_at_the_configured_magnitude()
    {
        using var scope = NewDisposeScope();
        // Image value = x coordinate, so the sampled value minus x is the x displacement in voxels.
        var ramp = arange(100, ScalarType.Float32).expand(80, 100).unsqueeze(0).contiguous();
        var warped = Warp(new RandomSpatialTransform { RotationProbability = 0, ScaleProbability = 0, ElasticProbability = 1, ElasticMagnitude = new(3, 3), ElasticSigma = new(10, 10) }, ramp);
        var interior = (warped - ramp)[.., 4..^4, 4..^4].abs();
        float peak = interior.max().item<float>();
        Assert.InRange(peak, 1.5f, 3.05f);
        Assert.True(interior.mean().item<float>() > 0.3f, "displacement should be spread over the patch");
    }
}
