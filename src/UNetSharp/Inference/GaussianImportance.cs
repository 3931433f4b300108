using TorchSharp;
using static TorchSharp.torch;

namespace UNetSharp.Inference;

/// <summary>
/// nnU-Net's importance map for blending tiles: a Gaussian with sigma = 1/8 of the tile size per axis, scaled so its
/// maximum is 1, zeros replaced by the smallest nonzero weight (no voxel may end with a zero weight sum). The centre
/// is the tile's exact middle, (n − 1)/2, not nnU-Net's n/2, so the map is mirror-symmetric and mirroring TTA and
/// tiling commute.
/// </summary>
public static class GaussianImportance
{
    /// <summary>Sigma as a fraction of the tile size (nnU-Net: 1/8).</summary>
    public const double SigmaScale = 1.0 / 8;

    /// <summary>The map for a tile, float32, shape <paramref name="tileSize"/>.</summary>
    public static Tensor Create(IReadOnlyList<int> tileSize)
    {
        using var scope = NewDisposeScope();
        Tensor? map = null;
        for (int a = 0; a < tileSize.Count; a++)
        {
            int n = tileSize[a];
            double centre = (n - 1) / 2.0, sigma = n * SigmaScale;
            var axis = arange(n, dtype: ScalarType.Float64).sub_(centre).pow_(2).div_(-2 * sigma * sigma).exp_();
            var shape = Enumerable.Repeat(1L, tileSize.Count).ToArray();
            shape[a] = n;
            axis = axis.reshape(shape);
            map = map is null ? axis : map * axis;
        }
        var product = map!;
        map = (product / product.max()).to_type(ScalarType.Float32);
        var nonzero = map.masked_select(map.gt(0));
        if (nonzero.numel() < map.numel()) map = map.masked_fill(map.eq(0), nonzero.min().item<float>());
        return map.contiguous().MoveToOuterDisposeScope();
    }
}
