namespace UNetSharp.Metrics;

/// <summary>
/// Percentiles with numpy's default ("linear", type 7) interpolation, the one MONAI's HD95 uses via
/// <c>np.percentile(d, 95)</c>: with the n values sorted as x[0..n−1], rank h = (n − 1)·q/100 and the result is
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

    /// <summary>
    /// As <see cref="Linear"/>, but reorders <paramref name="values"/> in place: a selection (expected O(n)) instead
    /// of a full sort, since surfaces of large volumes have tens of millions of distances.
    /// </summary>
    public static double LinearInPlace(Span<double> values, double q)
    {
        if (!(q >= 0 && q <= 100)) throw new ArgumentOutOfRangeException(nameof(q), q, "percentile must be within [0, 100]");
        if (values.Length == 0) return double.NaN;
        double h = (values.Length - 1) * (q / 100.0);
        int lo = Math.Min((int)Math.Floor(h), values.Length - 1);
        double below = Select(values, lo);
        double fraction = h - lo;
        if (lo == values.Length - 1 || fraction == 0) return below;
        // After selection everything right of lo is ≥ x[lo]; the next order statistic is their minimum.
        double above = double.PositiveInfinity;
        foreach (double v in values[(lo + 1)..]) above = Math.Min(above, v);
        return below + fraction * (above - below);
    }

    /// <summary>Quickselect (median-of-three pivot, Hoare partition, which splits runs of equal values evenly): returns the k-th smallest.</summary>
    static double Select(Span<double> a, int k)
    {
        int lo = 0, hi = a.Length - 1;
        while (hi - lo >= 16)
        {
            double x = a[lo], y = a[lo + (hi - lo) / 2], z = a[hi];
            double pivot = Math.Max(Math.Min(x, y), Math.Min(Math.Max(x, y), z));
            int i = lo, j = hi;
            while (i <= j)
            {
                while (a[i] < pivot) i++;
                while (a[j] > pivot) j--;
                if (i <= j) { (a[i], a[j]) = (a[j], a[i]); i++; j--; }
            }
            // Now a[lo..j] ≤ pivot ≤ a[i..hi] and any a[j+1..i−1] equals the pivot.
            if (k <= j) hi = j;
            else if (k >= i) lo = i;
            else return a[k];
        }
        a[lo..(hi + 1)].Sort();
        return a[k];
    }
}
