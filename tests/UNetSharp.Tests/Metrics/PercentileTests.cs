using UNetSharp.Metrics;

namespace UNetSharp.Tests.Metrics;

public class PercentileTests
{
    [Theory]
    // [1,2,3,4], q=95: h = 3·0.95 = 2.85 → 3 + 0.85·(4 − 3) = 3.85 (np.percentile gives 3.85).
    [InlineData(new[] { 4.0, 1, 3, 2 }, 95, 3.85)]
    // [0,10], q=95: h = 0.95 → 0 + 0.95·10 = 9.5.
    [InlineData(new[] { 10.0, 0 }, 95, 9.5)]
    // [1,3,5], q=50: h = 1 exactly → 3.
    [InlineData(new[] { 5.0, 1, 3 }, 50, 3)]
    // [0,10,20,30,40], q=30: h = 4·0.3 = 1.2 → 10 + 0.2·10 = 12.
    [InlineData(new[] { 40.0, 30, 20, 10, 0 }, 30, 12)]
    [InlineData(new[] { 7.0 }, 95, 7)]
    [InlineData(new[] { 2.0, 9, 4 }, 100, 9)]
    [InlineData(new[] { 2.0, 9, 4 }, 0, 2)]
    public void Interpolates_linearly_like_numpy(double[] values, double q, double expected)
    {
        double[] copy = (double[])values.Clone();
        Assert.Equal(expected, Percentile.Linear(copy, q), 12);
        Assert.Equal(values, copy); // Linear leaves its input alone
    }

    [Fact]
    public void No_values_give_NaN_and_bad_q_is_rejected()
    {
        Assert.True(double.IsNaN(Percentile.Linear([], 95)));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentile.Linear([1.0], 101));
        Assert.Throws<ArgumentOutOfRangeException>(() => Percentile.Linear([1.0], double.NaN));
    }

    [Fact]
    public void Selection_agrees_with_sorting_on_many_values_with_ties()
    {
        // Above the small-run cutoff, with heavy ties (surface distances are few distinct values): compare with the
        // formula applied to a sorted copy.
        var random = new Random(3);
        double[] values = Enumerable.Range(0, 10_001).Select(_ => (double)random.Next(50)).ToArray();
        double[] sorted = values.OrderBy(v => v).ToArray();
        foreach (double q in new[] { 0.0, 12.34, 50, 95, 99.99, 100 })
        {
            double h = 10_000 * q / 100;
            int lo = (int)Math.Floor(h);
            double expected = lo >= 10_000 ? sorted[^1] : sorted[lo] + (h - lo) * (sorted[lo + 1] - sorted[lo]);
            Assert.Equal(expected, Percentile.LinearInPlace((double[])values.Clone(), q), 12);
        }
        double[] distinct = Enumerable.Range(0, 1000).Select(i => (double)((i * 7919) % 1000)).ToArray(); // 0..999 permuted
        Assert.Equal(949.05, Percentile.LinearInPlace(distinct, 95), 9); // h = 999·0.95 = 949.05 → 949 + 0.05
    }
}
