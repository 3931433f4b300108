using UNetSharp.Data;
using UNetSharp.Data.Sampling;

namespace UNetSharp.Tests.Data.Sampling;

public class PatchSamplerTests
{
    private static SegmentationCase OneForegroundVoxel()
    {
        var c = SyntheticCases.Indexed("tiny", [64, 64]);
        c.Label![50 * 64 + 10] = 2;
        return c;
    }

    private static bool HasForeground(Patch p) => p.Label.Any(v => v > 0);

    [Fact]
    public void One_third_of_patches_contain_a_tiny_foreground()
    {
        var c = OneForegroundVoxel();
        var sampler = new PatchSampler([16, 16], foregroundRatio: 1.0 / 3);
        var random = new Random(1);
        var patches = Enumerable.Range(0, 900).Select(_ => sampler.Sample(c, random)).ToArray();
        // Forced patches: 1/3 (binomial sd 1.6%); unforced ones hit the voxel by chance with p = 16*11/49^2 = 7.3%.
        double forced = patches.Count(p => p.ForcedForeground) / 900.0;
        double withForeground = patches.Count(HasForeground) / 900.0;
        Assert.InRange(forced, 0.28, 0.39);
        Assert.InRange(withForeground, 0.33, 0.44);
        Assert.All(patches.Where(p => p.ForcedForeground), p => Assert.True(HasForeground(p)));

        var plain = new PatchSampler([16, 16], foregroundRatio: 0);
        double chance = Enumerable.Range(0, 900).Count(_ => HasForeground(plain.Sample(c, random))) / 900.0;
        Assert.InRange(chance, 0.03, 0.12);
    }

    [Fact]
    public void Forced_patches_pick_a_random_present_class()
    {
        var c = SyntheticCases.Indexed("two", [40, 40]);
        for (int i = 0; i < 400; i++) c.Label![i] = 1;   // class 1: the top 10 rows
        c.Label![39 * 40 + 39] = 3;                       // class 3: one voxel, far corner
        var sampler = new PatchSampler([8, 8], foregroundRatio: 1);
        var random = new Random(2);
        int withClass3 = Enumerable.Range(0, 400).Count(_ => sampler.Sample(c, random).Label.Contains(3));
        Assert.InRange(withClass3, 160, 240); // half the forced patches target class 3
    }

    [Fact]
    public void Patch_shapes_are_exact_and_content_is_the_case_region()
    {
        var c = SyntheticCases.Indexed("idx", [20, 30, 25], channels: 2);
        var sampler = new PatchSampler([8, 16, 12]);
        var random = new Random(3);
        for (int k = 0; k < 20; k++)
        {
            var p = sampler.Sample(c, random);
            Assert.Equal(2 * 8 * 16 * 12, p.Image.Length);
            Assert.Equal(8 * 16 * 12, p.Label.Length);
            var (z, y, x) = (p.Start[0], p.Start[1], p.Start[2]);
            Assert.InRange(z, 0, 12); Assert.InRange(y, 0, 14); Assert.InRange(x, 0, 13);
            // Voxel (1, 2, 3) of the patch in channel 1 is case voxel start + (1, 2, 3): value index + 1 + 1000.
            float expected = ((z + 1) * 30 + (y + 2)) * 25 + (x + 3) + 1 + 1000;
            Assert.Equal(expected, p.Image[8 * 16 * 12 + (1 * 16 + 2) * 12 + 3]);
        }
    }

    [Fact]
    public void Small_cases_are_padded_symmetrically()
    {
        var c = SyntheticCases.Indexed("small", [10, 12]);
        c.Label![0] = 1;
        var p = new PatchSampler([16, 16]).Sample(c, new Random(4), forceForeground: false);
        Assert.Equal([-3, -2], p.Start);
        Assert.Equal(256, p.Image.Length);
        Assert.Equal(0f, p.Image[0]);
        Assert.Equal(1f, p.Image[3 * 16 + 2]);               // case voxel (0, 0)
        Assert.Equal(120f, p.Image[12 * 16 + 13]);           // case voxel (9, 11)
        Assert.Equal(1, p.Label[3 * 16 + 2]);
        Assert.Equal(1, p.Label.Sum());
        Assert.Equal(256 - 120, p.Image.Count(v => v == 0));

        var withMin = new PatchSampler([16, 16], padding: ImagePadding.Minimum).Sample(c, new Random(4), forceForeground: false);
        Assert.Equal(1f, withMin.Image[0]);                  // case minimum is 1
        Assert.Equal(0, withMin.Label[0]);
    }

    [Fact]
    public void Patch_size_must_match_the_case_dimensions()
    {
        var c = SyntheticCases.Indexed("2d", [10, 10]);
        Assert.Throws<ConfigurationException>(() => new PatchSampler([4, 4, 4]).Sample(c, new Random(1)));
        Assert.Throws<ConfigurationException>(() => new PatchSampler([4, 4], foregroundRatio: 1.5));
    }

    [Fact]
    public void Caching_source_loads_each_case_once_and_retries_failures()
    {
        int loads = 0;
        bool fail = true;
        var inner = new DelegateSource(3, i =>
        {
            Interlocked.Increment(ref loads);
            if (i == 2 && fail) throw new IOException("disk");
            return SyntheticCases.Indexed($"c{i}", [4, 4]);
        });
        var cache = new CachingCaseSource(inner);
        Parallel.For(0, 40, k => cache.Load(k % 2));
        Assert.Equal(2, loads);
        Assert.Same(cache.Load(0), cache.Load(0));
        Assert.Throws<IOException>(() => cache.Load(2));
        fail = false;
        Assert.Equal("c2", cache.Load(2).Id);
        Assert.Equal(3, cache.CachedCount);
    }
}

internal sealed class DelegateSource(int count, Func<int, SegmentationCase> load) : ICaseSource
{
    public int Count => count;
    public SegmentationCase Load(int index) => load(index);
}
