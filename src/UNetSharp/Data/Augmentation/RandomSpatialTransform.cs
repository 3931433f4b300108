using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Data.Augmentation;

/// <summary>
/// Rotation, scaling and elastic deformation in one resampling (as nnU-Net does), so an image that gets several
/// of them is interpolated once. The sampling grid comes from affine_grid plus a smooth random displacement field;
/// the image is sampled bilinearly, the label with nearest neighbour; outside the input both get 0.
/// Geometry is in voxel units (square voxels assumed), so a rotation of a non-square patch stays a rotation.
/// </summary>
public sealed class RandomSpatialTransform : IAugmentation
{
    public double RotationProbability { get; init; } = 0.2;

    /// <summary>Angle range in degrees, per axis in 3D; null means nnU-Net's ±180 (2D) or ±30 (3D).</summary>
    public UniformRange? RotationDegrees { get; init; }

    public double ScaleProbability { get; init; } = 0.2;

    /// <summary>Magnification: above 1 objects get bigger (zoom in).</summary>
    public UniformRange Scale { get; init; } = new(0.7, 1.4);

    /// <summary>nnU-Net leaves elastic deformation off by default.</summary>
    public double ElasticProbability { get; init; }

    /// <summary>Largest displacement in voxels. Keep it well below the sigma so the field does not fold.</summary>
    public UniformRange ElasticMagnitude { get; init; } = new(0, 4);

    /// <summary>Smoothness of the displacement field: Gaussian sigma in voxels.</summary>
    public UniformRange ElasticSigma { get; init; } = new(9, 13);

    public (Tensor Image, Tensor Label) Apply(Tensor image, Tensor label, Random random)
    {
        int dims = (int)label.dim();
        bool rotate = random.NextDouble() < RotationProbability;
        bool scale = random.NextDouble() < ScaleProbability;
        bool elastic = random.NextDouble() < ElasticProbability;
        if (!rotate && !scale && !elastic) return (image, label);

        // Sizes in grid order (x, y, z) = spatial axes reversed, as affine_grid/grid_sample expect.
        var size = Enumerable.Range(0, dims).Select(a => (double)label.shape[dims - 1 - a]).ToArray();
        var degrees = RotationDegrees ?? (dims == 2 ? new UniformRange(-180, 180) : new UniformRange(-30, 30));
        var matrix = rotate ? Rotation(dims, degrees, random) : Identity(dims);
        if (scale)
        {
            double s = Scale.Sample(random);
            for (int i = 0; i < dims; i++) for (int j = 0; j < dims; j++) matrix[i, j] /= s;
        }

        // The matrix maps output voxel offsets from the centre to input offsets; convert to normalised coordinates.
        var theta = new float[dims * (dims + 1)];
        for (int i = 0; i < dims; i++)
            for (int j = 0; j < dims; j++)
                theta[i * (dims + 1) + j] = (float)(matrix[i, j] * size[j] / size[i]);

        using var scope = NewDisposeScope();
        long[] outSize = [1, 1, .. label.shape];
        var grid = nn.functional.affine_grid(tensor(theta, [1, dims, dims + 1]), outSize, align_corners: false);
        if (elastic) grid = grid + Displacement(label.shape, size, random);

        var warpedImage = nn.functional.grid_sample(image.unsqueeze(0), grid, GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: false).squeeze(0);
        var warpedLabel = nn.functional.grid_sample(label.unsqueeze(0).unsqueeze(0).to(ScalarType.Float32), grid, GridSampleMode.Nearest, GridSamplePaddingMode.Zeros, align_corners: false)
            .squeeze(0).squeeze(0).to(label.dtype);
        return (warpedImage.MoveToOuterDisposeScope(), warpedLabel.MoveToOuterDisposeScope());
    }

    /// <summary>Smooth random displacement in normalised grid units, [1, (D,) H, W, dims] with (x, y, z) last.</summary>
    private Tensor Displacement(long[] spatial, double[] sizeXyz, Random random)
    {
        int dims = spatial.Length;
        double sigma = ElasticSigma.Sample(random), magnitude = ElasticMagnitude.Sample(random);
        using var generator = DeterministicSeed.TorchGenerator(random);
        // Smooth on a grid coarser by ~sigma/2 and upsample: same field, a fraction of the convolution cost.
        int factor = Math.Max(1, (int)(sigma / 2));
        var coarse = spatial.Select(n => n / factor + 2).ToArray();
        var noise = rand([1, dims, .. coarse], generator: generator) * 2 - 1;
        var smooth = GaussianSmoothing.Smooth(noise, sigma / factor, replicateBorder: false);
        var field = nn.functional.interpolate(smooth, spatial, mode: dims == 3 ? InterpolationMode.Trilinear : InterpolationMode.Bilinear, align_corners: true);
        // Per component: peak |displacement| = magnitude voxels, expressed in normalised units (2 / size).
        var peak = field.abs().amax([.. Enumerable.Range(2, dims).Select(i => (long)i)], keepdim: true).clamp_min(1e-12);
        var perAxis = tensor(sizeXyz.Select(n => (float)(2 * magnitude / n)).ToArray()).reshape([1, dims, .. Enumerable.Repeat(1L, dims)]);
        var scaled = field / peak * perAxis;
        return scaled.movedim([1L], [-1L]);
    }

    private static double[,] Identity(int dims)
    {
        var m = new double[dims, dims];
        for (int i = 0; i < dims; i++) m[i, i] = 1;
        return m;
    }

    private static double[,] Rotation(int dims, UniformRange degrees, Random random)
    {
        if (dims == 2) return Planar(2, 0, 1, Radians(degrees.Sample(random)));
        // 3D: independent angles about the x, y and z axes (nnU-Net), composed as Rx * Ry * Rz.
        var rx = Planar(3, 1, 2, Radians(degrees.Sample(random)));
        var ry = Planar(3, 0, 2, Radians(degrees.Sample(random)));
        var rz = Planar(3, 0, 1, Radians(degrees.Sample(random)));
        return Multiply(Multiply(rx, ry), rz);
    }

    private static double Radians(double deg) => deg * Math.PI / 180;

    private static double[,] Planar(int dims, int a, int b, double angle)
    {
        var m = Identity(dims);
        m[a, a] = Math.Cos(angle); m[a, b] = -Math.Sin(angle);
        m[b, a] = Math.Sin(angle); m[b, b] = Math.Cos(angle);
        return m;
    }

    private static double[,] Multiply(double[,] x, double[,] y)
    {
        int n = x.GetLength(0);
        var r = new double[n, n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) for (int k = 0; k < n; k++) r[i, j] += x[i, k] * y[k, j];
        return r;
    }
}
