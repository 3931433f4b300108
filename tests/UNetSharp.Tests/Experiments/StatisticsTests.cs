using UNetSharp.Experiments;
using UNetSharp.Metrics;

namespace UNetSharp.Tests.Experiments;

public sealed class StatisticsTests
{
    [Fact]
    public void MeanAndSampleSdByHand()
    {
        // mean (0.80 + 0.84 + 0.86 + 0.90) / 4 = 0.85; squared deviations 0.0025 + 0.0001 + 0.0001 + 0.0025 = 0.0052; sd = √(0.0052 / 3)
        var s = MeanSd.Of([0.80, 0.84, double.NaN, 0.86, 0.90]);
        Assert.Equal(4, s.N);
        Assert.Equal(0.85, s.Mean, 12);
        Assert.Equal(Math.Sqrt(0.0052 / 3), s.Sd, 12);
        Assert.Equal("0.850 ± 0.042", s.Format());
        Assert.True(double.IsNaN(MeanSd.Of([0.5]).Sd));
        Assert.Equal("0.500", MeanSd.Of([0.5]).Format());
        Assert.Equal("–", MeanSd.Of([]).Format());
    }

    [Theory]
    [InlineData(0.5, 0.4795001221869535)]
    [InlineData(1.5, 0.033894853524689274)]
    [InlineData(-1.0, 1.842700792949715)]
    [InlineData(3.0, 2.2090496998585438e-05)]
    [InlineData(0.0, 1.0)]
    public void ErfcMatchesReferenceValues(double x, double expected) =>   // reference: Python's math.erfc
        Assert.Equal(expected, NormalDistribution.Erfc(x), expected * 1e-13);

    [Fact]
    public void ScipyDocumentationExampleIsExact()
    {
        // scipy.stats.wilcoxon docs (Fisher's Design of Experiments): wilcoxon(d) → statistic 24.0, pvalue 0.041259765625.
        // By hand: negative differences −48 (rank 10) and −67 (rank 14) give W− = 24; 676 of the 2^15 sign patterns reach ≤ 24.
        double[] d = [6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75];
        var r = WilcoxonSignedRank.Test(d);
        Assert.True(r.Exact);
        Assert.Equal((15, 24.0, 96.0, 24.0), (r.N, r.RankSumNegative, r.RankSumPositive, r.Statistic));
        Assert.Equal(0.041259765625, r.PValue, 15);
        Assert.Equal(676.0 / 32768, WilcoxonSignedRank.ExactLowerTail(15, 24), 15);
    }

    [Fact]
    public void ThreePositiveDifferencesAndZerosDropped()
    {
        // d = 1, 2, 3: W− = 0; only the all-positive pattern of 2^3 has W− ≤ 0, so p = 2 · 1/8 = 0.25. Zeros are dropped (wilcox).
        var r = WilcoxonSignedRank.Test([1.0, 2.5, 3.0, 4.0], [1.0, 1.5, 1.0, 1.0]);
        Assert.Equal((3, 1, 6.0, 0.0), (r.N, r.Zeros, r.RankSumPositive, r.RankSumNegative));
        Assert.Equal(0.25, r.PValue, 15);
        Assert.Equal(1.5, r.MedianDifference, 15); // median of 0, 1, 2, 3
        Assert.Equal("exact", r.Method);
    }

    [Fact]
    public void TiesUseTheNormalApproximationWithTieAndContinuityCorrection()
    {
        // d = 1, 1, 2, −2: |d| ranks 1.5, 1.5, 3.5, 3.5; W+ = 6.5, W− = 3.5; mean 4·5/4 = 5; variance 4·5·9/24 − (6 + 6)/48 = 7.25;
        // z = (3.5 − 5 + 0.5)/√7.25 = −0.37139; p = 2Φ(z) = 0.71034656899 (Python: math.erfc(0.37139.../√2)).
        var r = WilcoxonSignedRank.Test([1.0, 1, 2, -2]);
        Assert.False(r.Exact);
        Assert.Equal((6.5, 3.5), (r.RankSumPositive, r.RankSumNegative));
        Assert.Equal(-1 / Math.Sqrt(7.25), r.Z, 12);
        Assert.Equal(0.7103465689955668, r.PValue, 10);
    }

    [Fact]
    public void LargeSampleWithoutTiesUsesTheNormalApproximation()
    {
        // n = 60 > 50, all positive: W− = 0, mean 915, variance 60·61·121/24 = 18452.5; z = (0 − 915 + 0.5)/√18452.5.
        var d = Enumerable.Range(1, 60).Select(i => (double)i).ToArray();
        var r = WilcoxonSignedRank.Test(d);
        Assert.False(r.Exact);
        double z = -914.5 / Math.Sqrt(18452.5);
        Assert.Equal(z, r.Z, 12);
        Assert.Equal(2 * NormalDistribution.Cdf(z), r.PValue, 15);
        Assert.True(r.PValue < 1e-10);
    }

    [Fact]
    public void NoDifferenceGivesNoPValueAndNaNPairsAreLeftOut()
    {
        var r = WilcoxonSignedRank.Test([0.5, double.NaN, 0.7], [0.5, 0.1, 0.7]);
        Assert.Equal((0, 2), (r.N, r.Zeros));
        Assert.True(double.IsNaN(r.PValue));
        Assert.Throws<ArgumentException>(() => WilcoxonSignedRank.Test([1.0], [1.0, 2.0]));
    }
}
