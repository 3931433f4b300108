using UNetSharp.Metrics;

namespace UNetSharp.Tests.Metrics;

public class DistanceTransformTests
{
    [Fact]
    public void Anisotropic_2D_distances_to_a_centre_seed()
    {
        // 3×3, seed at (1,1), spacing (2.0, 0.5): d²(r,c) = (2·|r−1|)² + (0.5·|c−1|)².
        bool[] seeds = new bool[9];
        seeds[4] = true;
        double[] d2 = DistanceTransform.SquaredEuclidean(seeds, [3, 3], [2.0, 0.5]);
        double[] expected =
        [
            4.25, 4, 4.25,   // corners 4 + 0.25, edge 4
            0.25, 0, 0.25,
            4.25, 4, 4.25,
        ];
        Assert.Equal(expected, d2);
    }

    [Fact]
    public void Nearest_of_two_seeds_along_a_row()
    {
        // 1×5 with seeds at columns 0 and 4, column spacing 2: d = 0, 2, 4, 2, 0 → d² = 0, 4, 16, 4, 0.
        double[] d2 = DistanceTransform.SquaredEuclidean([true, false, false, false, true], [1, 5], [1.0, 2.0]);
        Assert.Equal([0.0, 4, 16, 4, 0], d2);
    }

    [Fact]
    public void No_seeds_means_infinite_distance()
    {
        double[] d2 = DistanceTransform.SquaredEuclidean(new bool[8], [2, 2, 2], [1.0, 1, 1]);
        Assert.All(d2, v => Assert.True(double.IsPositiveInfinity(v)));
    }

    [Fact]
    public void Matches_brute_force_on_a_random_anisotropic_3D_grid()
    {
        // Independent check of the separable passes: min over seeds of Σ (Δ·spacing)² by brute force.
        int[] shape = [7, 9, 11];
        double[] spacing = [5.0, 0.8, 1.3];
        var random = new Random(7);
        bool[] seeds = new bool[7 * 9 * 11];
        for (int i = 0; i < seeds.Length; i++) seeds[i] = random.NextDouble() < 0.03;
        double[] d2 = DistanceTransform.SquaredEuclidean(seeds, shape, spacing);
        for (int i = 0; i < seeds.Length; i++)
        {
            double best = double.PositiveInfinity;
            for (int j = 0; j < seeds.Length; j++)
            {
                if (!seeds[j]) continue;
                double dz = (i / 99 - j / 99) * spacing[0], dy = (i / 11 % 9 - j / 11 % 9) * spacing[1], dx = (i % 11 - j % 11) * spacing[2];
                best = Math.Min(best, dz * dz + dy * dy + dx * dx);
            }
            Assert.Equal(best, d2[i], 9);
        }
    }
}
