namespace UNetSharp.Metrics;

/// <summary>
/// Percentiles with numpy's default ("linear", type 7) interpolation, the one MONAI's HD95 uses via
/// <c>np.percentile(d, 95)</c>: sort the n values, take rank h = (n − 1)·q/100 and return
/// x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋]).
/// </summary>
public static class Percentile
{
    /// <summary>The q-th percentile (0 ≤ q ≤ 100) of <paramref name="values"/>; NaN for no values. The input is not changed.</summary>
    public static double Linear(ReadOnlySpan<double> values, double q)
    {
        double[] copy = values.ToArray();
        return LinearInPlace(copy, q);
    }

    /// <summary>As <see cref="Linear"/>, but sorts <paramref name="values"/> in place (saves a copy of millions of distances).</summary>
    public static double LinearInPlace(Span<double> values, double q)
    {
        if (!(q >= 0 && q <= 100)) throw new ArgumentOutOfRangeException(nameof(q), q, "percentile must be within [0, 100]");
        if (values.Length == 0) return double.NaN;
        values.Sort();
        double h = (values.Length - 1) * (q / 100.0);
        int lo = (int)Math.Floor(h);
        if (lo >= values.Length - 1) return values[^1];
        double fraction = h - lo;
        return values[lo] + fraction * (values[lo + 1] - values[lo]);
    }
}
