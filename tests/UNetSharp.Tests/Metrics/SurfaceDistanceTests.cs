using UNetSharp.Metrics;

namespace UNetSharp.Tests.Metrics;

public class SurfaceDistanceTests
{
    [Fact]
    public void Two_single_voxels_with_anisotropic_spacing()
    {
        // 5×5, pred at (1,1), ref at (3,4), spacing (2.0, 0.5): d = √((2·2)² + (3·0.5)²) = √(16 + 2.25) = √18.25.
        int[] pred = new int[25], reference = new int[25];
        pred[1 * 5 + 1] = 1;
        reference[3 * 5 + 4] = 1;
        var s = SurfaceDistance.Compute(pred, reference, 1, [5, 5], [2.0, 0.5]);
        double d = Math.Sqrt(18.25);
        Assert.Equal(d, s.Hd95, 12);
        Assert.Equal(d, s.Hd100, 12);
        Assert.Equal(d, s.Assd, 12);
        Assert.Equal(1, s.PredictionSurfaceVoxels);
        Assert.Equal(1, s.ReferenceSurfaceVoxels);
    }

    [Fact]
    public void Square_shifted_by_one_column()
    {
        // 6×7, pred = 3×3 square rows 1–3, cols 1–3; ref = same square at cols 2–4; spacing (1.0, 2.0).
        // Surfaces are the 8 border voxels of each square (centres (2,2) / (2,3) are interior).
        // pred → ref: (1,1),(2,1),(3,1) → 2 (one column), (2,3) → 1 (row neighbour (1,3)), 4 voxels shared → 0.
        //   sorted [0,0,0,0,1,2,2,2]: P95 rank 7·0.95 = 6.65 → 2; sum 7.
        // ref → pred: (1,4),(2,4),(3,4) → 2, (2,2) → 1 (row neighbour (1,2)), 4 shared → 0; same P95 2, sum 7.
        // HD95 = 2, HD100 = 2, ASSD = (7 + 7) / 16 = 0.875.
        int[] pred = new int[42], reference = new int[42];
        for (int r = 1; r <= 3; r++)
            for (int c = 1; c <= 3; c++) { pred[r * 7 + c] = 1; reference[r * 7 + c + 1] = 1; }
        var s = SurfaceDistance.Compute(pred, reference, 1, [6, 7], [1.0, 2.0]);
        Assert.Equal(8, s.PredictionSurfaceVoxels);
        Assert.Equal(8, s.ReferenceSurfaceVoxels);
        Assert.Equal(2.0, s.Hd95, 12);
        Assert.Equal(2.0, s.Hd100, 12);
        Assert.Equal(0.875, s.Assd, 12);
    }

    [Fact]
    public void Shifted_slice_in_3D_with_thick_slices_interpolates_the_95th_percentile()
    {
        // 3×4×4, spacing (5, 0.8, 0.8). ref = 2×2 block (h,w ∈ {1,2}) in slice 0; pred = same block in slice 1
        // plus voxel (1,1,3). All voxels are surface (each touches background within its slice).
        // pred → ref: block voxels 5 (one slice up); (1,1,3) → (0,1,2): √(5² + 0.8²) = √25.64.
        //   sorted [5,5,5,5,√25.64]: rank 4·0.95 = 3.8 → 5 + 0.8·(√25.64 − 5).
        // ref → pred: every voxel 5 → P95 5. HD95 = the larger = 5 + 0.8·(√25.64 − 5).
        // HD100 = √25.64; ASSD = (4·5 + √25.64 + 4·5) / 9.
        int[] pred = new int[48], reference = new int[48];
        foreach (int h in new[] { 1, 2 })
            foreach (int w in new[] { 1, 2 }) { reference[h * 4 + w] = 1; pred[16 + h * 4 + w] = 1; }
        pred[16 + 1 * 4 + 3] = 1;
        var s = SurfaceDistance.Compute(pred, reference, 1, [3, 4, 4], [5.0, 0.8, 0.8]);
        double far = Math.Sqrt(25.64);
        Assert.Equal(5, s.PredictionSurfaceVoxels);
        Assert.Equal(4, s.ReferenceSurfaceVoxels);
        Assert.Equal(5 + 0.8 * (far - 5), s.Hd95, 12);
        Assert.Equal(far, s.Hd100, 12);
        Assert.Equal((40 + far) / 9, s.Assd, 12);
    }

    [Fact]
    public void Voxels_at_the_image_border_are_surface_interior_ones_are_not()
    {
        // A full 3×3 (2D) or 3×3×3 (3D) map: only the centre has all face neighbours inside and foreground.
        var flat = SurfaceDistance.Compute(Enumerable.Repeat(1, 9).ToArray(), Enumerable.Repeat(1, 9).ToArray(), 1, [3, 3], [1.0, 1.0]);
        Assert.Equal(8, flat.PredictionSurfaceVoxels);
        Assert.Equal(0.0, flat.Hd95);
        var cube = SurfaceDistance.Compute(Enumerable.Repeat(1, 27).ToArray(), Enumerable.Repeat(1, 27).ToArray(), 1, [3, 3, 3], [1.0, 1, 1]);
        Assert.Equal(26, cube.ReferenceSurfaceVoxels);
    }

    [Fact]
    public void Empty_sides_give_NaN_and_say_why()
    {
        int[] some = [0, 1, 1, 0], none = new int[4];
        var oneSide = SurfaceDistance.Compute(none, some, 1, [2, 2], [1.0, 1.0]);
        Assert.True(double.IsNaN(oneSide.Hd95) && double.IsNaN(oneSide.Assd) && double.IsNaN(oneSide.Hd100));
        Assert.True(oneSide.OneSideEmpty);
        Assert.False(oneSide.IsDefined);
        var both = SurfaceDistance.Compute(none, none, 1, [2, 2], [1.0, 1.0]);
        Assert.True(double.IsNaN(both.Hd95));
        Assert.True(both.BothEmpty);
        Assert.False(both.OneSideEmpty);
    }

    [Fact]
    public void Matches_brute_force_surfaces_and_pairwise_distances_on_random_3D_maps()
    {
        // Independent reference: surfaces from the definition on the full image, all pairwise distances.
        int[] shape = [6, 8, 9];
        double[] spacing = [3.0, 0.7, 1.1];
        var random = new Random(11);
        int n = 6 * 8 * 9;
        int[] pred = new int[n], reference = new int[n];
        for (int i = 0; i < n; i++)
        {
            int z = i / 72, y = i / 9 % 8, x = i % 9;
            pred[i] = z is >= 1 and <= 4 && y is >= 2 and <= 6 && x >= 1 && random.NextDouble() < 0.85 ? 1 : 0;
            reference[i] = z >= 2 && y is >= 1 and <= 5 && x <= 6 && random.NextDouble() < 0.85 ? 1 : 2;
        }
        var s = SurfaceDistance.Compute(pred, reference, 1, shape, spacing);

        List<int> Surface(int[] map) => Enumerable.Range(0, n).Where(i =>
        {
            if (map[i] != 1) return false;
            int z = i / 72, y = i / 9 % 8, x = i % 9;
            return z == 0 || z == 5 || y == 0 || y == 7 || x == 0 || x == 8
                || map[i - 72] != 1 || map[i + 72] != 1 || map[i - 9] != 1 || map[i + 9] != 1 || map[i - 1] != 1 || map[i + 1] != 1;
        }).ToList();
        double Distance(int a, int b)
        {
            double dz = (a / 72 - b / 72) * spacing[0], dy = (a / 9 % 8 - b / 9 % 8) * spacing[1], dx = (a % 9 - b % 9) * spacing[2];
            return Math.Sqrt(dz * dz + dy * dy + dx * dx);
        }
        var a = Surface(pred);
        var b = Surface(reference);
        double[] ab = a.Select(i => b.Min(j => Distance(i, j))).ToArray();
        double[] ba = b.Select(j => a.Min(i => Distance(i, j))).ToArray();

        Assert.Equal(a.Count, s.PredictionSurfaceVoxels);
        Assert.Equal(b.Count, s.ReferenceSurfaceVoxels);
        Assert.Equal(Math.Max(Percentile.Linear(ab, 95), Percentile.Linear(ba, 95)), s.Hd95, 9);
        Assert.Equal(Math.Max(ab.Max(), ba.Max()), s.Hd100, 9);
        Assert.Equal((ab.Sum() + ba.Sum()) / (ab.Length + ba.Length), s.Assd, 9);
    }
}
