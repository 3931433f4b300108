namespace UNetSharp.Experiments;

/// <summary>The result of a two-sided Wilcoxon signed-rank test of paired samples x, y (differences d = x − y).</summary>
/// <param name="N">pairs with a non-zero difference (those ranked)</param>
/// <param name="Zeros">pairs with d = 0, dropped before ranking (scipy's default <c>zero_method="wilcox"</c>)</param>
/// <param name="RankSumPositive">W+: the sum of the ranks of |d| where x &gt; y</param>
/// <param name="RankSumNegative">W−: the sum of the ranks where x &lt; y</param>
/// <param name="Statistic">min(W+, W−), scipy's two-sided statistic</param>
/// <param name="PValue">two-sided p-value; NaN when no pair differs</param>
/// <param name="Exact">true: from the exact null distribution; false: normal approximation with tie and continuity correction</param>
/// <param name="Z">the normal approximation's z (NaN when exact)</param>
/// <param name="MedianDifference">median of d over all pairs (zeros included): the direction and size of the effect</param>
public sealed record WilcoxonResult(int N, int Zeros, double RankSumPositive, double RankSumNegative, double Statistic, double PValue,
    bool Exact, double Z, double MedianDifference)
{
    public string Method => N == 0 ? "none (no differences)" : Exact ? "exact" : "normal approximation (tie and continuity corrected)";
}

/// <summary>
/// Wilcoxon signed-rank test, two-sided, as scipy.stats.wilcoxon with its defaults except where said:
/// <list type="bullet">
/// <item>pairs where either value is NaN are left out (nan_policy "omit"), zero differences are dropped (zero_method "wilcox");</item>
/// <item>|d| is ranked with average ranks for ties;</item>
/// <item>exact null distribution (all 2^n sign patterns, counted by dynamic programming) when n ≤ <see cref="ExactLimit"/> and no
/// |d| ties — scipy's "auto" rule; p = min(1, 2·P(W ≤ min(W+, W−)));</item>
/// <item>otherwise the normal approximation: mean n(n+1)/4, variance n(n+1)(2n+1)/24 − Σ(t³ − t)/48 over tie groups of size t,
/// with a continuity correction of 0.5 toward the mean (scipy's default is no correction; ours is the conservative choice).</item>
/// </list>
/// </summary>
public static class WilcoxonSignedRank
{
    public const int ExactLimit = 50;

    public static WilcoxonResult Test(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        if (x.Count != y.Count) throw new ArgumentException($"paired samples differ in length ({x.Count} and {y.Count})", nameof(y));
        return Test(x.Zip(y, (a, b) => a - b).ToArray());
    }

    /// <summary>The test of the differences themselves (one-sample form: is d symmetric about 0?).</summary>
    public static WilcoxonResult Test(IReadOnlyList<double> differences)
    {
        var all = differences.Where(d => !double.IsNaN(d)).ToArray();
        double median = Median(all);
        var d = all.Where(v => v != 0).ToArray();
        int zeros = all.Length - d.Length, n = d.Length;
        if (n == 0) return new WilcoxonResult(0, zeros, 0, 0, 0, double.NaN, true, double.NaN, median);

        var (ranks, tieGroups) = AverageRanks(d.Select(Math.Abs).ToArray());
        double plus = 0, minus = 0;
        for (int i = 0; i < n; i++)
            if (d[i] > 0) plus += ranks[i]; else minus += ranks[i];
        double statistic = Math.Min(plus, minus);

        if (n <= ExactLimit && tieGroups.Count == 0)
        {
            double p = Math.Min(1, 2 * ExactLowerTail(n, (int)statistic));
            return new WilcoxonResult(n, zeros, plus, minus, statistic, p, true, double.NaN, median);
        }
        double mean = n * (n + 1) / 4.0;
        double variance = n * (n + 1.0) * (2 * n + 1) / 24.0 - tieGroups.Sum(t => (double)t * t * t - t) / 48.0;
        double shifted = statistic - mean;                  // ≤ 0: the statistic is the smaller rank sum
        double corrected = Math.Min(0, shifted + 0.5);      // continuity: half a rank toward the mean
        double z = variance > 0 ? corrected / Math.Sqrt(variance) : 0;
        double pNormal = Math.Min(1, 2 * NormalDistribution.Cdf(-Math.Abs(z)));
        return new WilcoxonResult(n, zeros, plus, minus, statistic, pNormal, false, z, median);
    }

    /// <summary>P(W ≤ w) under the null for n untied ranks 1..n: the share of the 2^n sign patterns whose positive ranks sum to ≤ w.</summary>
    public static double ExactLowerTail(int n, int w)
    {
        int max = n * (n + 1) / 2;
        var count = new double[max + 1]; // ways to reach each sum; below 2^53 for n ≤ 50, so exact in a double
        count[0] = 1;
        for (int k = 1; k <= n; k++)
            for (int s = k * (k + 1) / 2; s >= k; s--) count[s] += count[s - k];
        double below = 0;
        for (int s = 0; s <= Math.Min(w, max); s++) below += count[s];
        return below / Math.Pow(2, n);
    }

    /// <summary>Ranks 1..n of the values with ties sharing their average rank, and the sizes of tie groups (of 2 or more).</summary>
    static (double[] Ranks, List<int> TieGroups) AverageRanks(double[] values)
    {
        var order = Enumerable.Range(0, values.Length).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Length];
        var ties = new List<int>();
        for (int start = 0; start < order.Length;)
        {
            int end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1;
            for (int k = start; k <= end; k++) ranks[order[k]] = rank;
            if (end > start) ties.Add(end - start + 1);
            start = end + 1;
        }
        return (ranks, ties);
    }

    static double Median(double[] values)
    {
        if (values.Length == 0) return double.NaN;
        var s = values.Order().ToArray();
        return s.Length % 2 == 1 ? s[s.Length / 2] : (s[s.Length / 2 - 1] + s[s.Length / 2]) / 2;
    }
}
