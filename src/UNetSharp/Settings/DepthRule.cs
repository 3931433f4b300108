using System.Globalization;

namespace UNetSharp.Settings;

/// <summary>One pruned depth's cost and worth: its mean validation Dice and its measured prediction time per case (image or volume).</summary>
public sealed record DepthMeasurement(int Depth, double MeanDice, double SecondsPerCase);

/// <summary>How a rule is stated: the kind and its one number (a Dice margin, or seconds per case for a latency budget).</summary>
public enum DepthRuleKind { Accuracy, Tolerance, FastestWithin, Latency }

/// <summary>
/// The user's rule for the depth a pruned network predicts at, applied to every depth's validation Dice and measured
/// speed (one split's, or the means over cross-validation folds):
/// <list type="bullet">
/// <item><c>accuracy</c>: the depth with the best mean Dice (the shallower one on a tie).</item>
/// <item><c>tolerance:D</c>: the shallowest depth whose Dice is within D of the best (the default, D = 0.005).</item>
/// <item><c>fastest-within:D</c>: the fastest measured depth whose Dice is within D of the best (differs from tolerance
/// when a deeper depth measured faster).</item>
/// <item><c>latency:T</c> (T as 12ms, 0.5s or plain milliseconds): the most accurate depth whose measured time per case is
/// at most T; if none is, the fastest depth.</item>
/// </list>
/// A bare number is read as <c>tolerance:</c> that number (the former depth_tolerance setting).
/// </summary>
public sealed record DepthRule(DepthRuleKind Kind, double Value)
{
    public const string DefaultText = "tolerance:0.005";

    public static DepthRule Default { get; } = Parse(DefaultText, "depth rule");

    /// <summary>The rule from its text; a bad text is one line naming <paramref name="name"/> ("--depth-rule", "'depth_rule'").</summary>
    public static DepthRule Parse(string text, string name)
    {
        string t = text.Trim().ToLowerInvariant();
        int colon = t.IndexOf(':');
        string head = colon < 0 ? t : t[..colon].Trim(), arg = colon < 0 ? "" : t[(colon + 1)..].Trim();
        var error = new ConfigurationException($"{name} must be accuracy, tolerance:D, fastest-within:D (D a Dice margin from 0 up to 1) or latency:T (e.g. 12ms, 0.5s), got '{text}'");
        if (colon < 0 && double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double bare)) return Margin(DepthRuleKind.Tolerance, bare);
        switch (head)
        {
            case "accuracy" when colon < 0: return new DepthRule(DepthRuleKind.Accuracy, 0);
            case "tolerance": return Margin(DepthRuleKind.Tolerance, Number(arg));
            case "fastest-within" or "fastest_within": return Margin(DepthRuleKind.FastestWithin, Number(arg));
            case "latency":
                double seconds = arg.EndsWith("ms", StringComparison.Ordinal) ? Number(arg[..^2]) / 1000
                    : arg.EndsWith('s') ? Number(arg[..^1]) : Number(arg) / 1000;
                return seconds > 0 && double.IsFinite(seconds) ? new DepthRule(DepthRuleKind.Latency, seconds) : throw error;
            default: throw error;
        }

        DepthRule Margin(DepthRuleKind kind, double margin) => margin >= 0 && margin < 1 ? new DepthRule(kind, margin) : throw error;
        static double Number(string s) => double.TryParse(s.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN;
    }

    /// <summary>The canonical text, as config.json stores it ("tolerance:0.005", "latency:12ms").</summary>
    public override string ToString() => Kind switch
    {
        DepthRuleKind.Accuracy => "accuracy",
        DepthRuleKind.Tolerance => $"tolerance:{Value.ToString("R", CultureInfo.InvariantCulture)}",
        DepthRuleKind.FastestWithin => $"fastest-within:{Value.ToString("R", CultureInfo.InvariantCulture)}",
        _ => $"latency:{(Value * 1000).ToString("R", CultureInfo.InvariantCulture)}ms",
    };

    /// <summary>The rule in words, for metrics.json and reports; <paramref name="on"/> says what the Dice is from ("validation", "cross-validation").</summary>
    public string Describe(string on) => Kind switch
    {
        DepthRuleKind.Accuracy => $"accuracy: the depth with the best mean {on} Dice",
        DepthRuleKind.Tolerance => $"tolerance:{Value.ToString(CultureInfo.InvariantCulture)}: smallest depth whose mean {on} Dice is within {Value.ToString(CultureInfo.InvariantCulture)} of the best depth",
        DepthRuleKind.FastestWithin => $"fastest-within:{Value.ToString(CultureInfo.InvariantCulture)}: fastest measured depth whose mean {on} Dice is within {Value.ToString(CultureInfo.InvariantCulture)} of the best depth",
        _ => $"{this}: most accurate depth (mean {on} Dice) measured at most {(Value * 1000).ToString("0.###", CultureInfo.InvariantCulture)} ms per case, else the fastest",
    };

    /// <summary>
    /// The depth this rule picks. Depths without a Dice (NaN: no foreground anywhere) never count as best; when no depth has
    /// a Dice, the deepest is taken (nothing says pruning is safe).
    /// </summary>
    public int Choose(IReadOnlyCollection<DepthMeasurement> depths)
    {
        if (depths.Count == 0) throw new ArgumentException("no depth to choose from", nameof(depths));
        var scored = depths.Where(d => !double.IsNaN(d.MeanDice)).OrderBy(d => d.Depth).ToList();
        if (scored.Count == 0) return depths.Max(d => d.Depth);
        double best = scored.Max(d => d.MeanDice);
        return Kind switch
        {
            DepthRuleKind.Accuracy => scored.First(d => d.MeanDice == best).Depth,
            DepthRuleKind.Tolerance => scored.First(d => d.MeanDice >= best - Value).Depth,
            DepthRuleKind.FastestWithin => scored.Where(d => d.MeanDice >= best - Value).OrderBy(d => d.SecondsPerCase).ThenBy(d => d.Depth).First().Depth,
            _ => scored.Where(d => d.SecondsPerCase <= Value).OrderByDescending(d => d.MeanDice).ThenBy(d => d.Depth).FirstOrDefault()?.Depth
                ?? depths.OrderBy(d => d.SecondsPerCase).ThenBy(d => d.Depth).First().Depth,
        };
    }
}
