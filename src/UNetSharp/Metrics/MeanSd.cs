using System.Globalization;

namespace UNetSharp.Metrics;

/// <summary>
/// Mean and sample standard deviation (n − 1 in the denominator, as numpy's <c>std(ddof=1)</c>) of the finite values
/// given; NaN values are left out and <see cref="N"/> counts those used. With one value the sd is NaN (undefined),
/// with none the mean is NaN too.
/// </summary>
public readonly record struct MeanSd(double Mean, double Sd, int N)
{
    public static MeanSd Of(IEnumerable<double> values)
    {
        var v = values.Where(x => !double.IsNaN(x)).ToArray();
        if (v.Length == 0) return new MeanSd(double.NaN, double.NaN, 0);
        double mean = v.Average();
        double sd = v.Length < 2 ? double.NaN : Math.Sqrt(v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1));
        return new MeanSd(mean, sd, v.Length);
    }

    /// <summary>"0.912 ± 0.004" (the sd left out when undefined; "–" when there is no value).</summary>
    public string Format(string format = "F3")
    {
        if (N == 0) return "–";
        string mean = Mean.ToString(format, CultureInfo.InvariantCulture);
        return double.IsNaN(Sd) ? mean : $"{mean} ± {Sd.ToString(format, CultureInfo.InvariantCulture)}";
    }

    public override string ToString() => Format();
}
