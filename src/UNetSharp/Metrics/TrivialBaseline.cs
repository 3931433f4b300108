using System.Text.Json.Nodes;

namespace UNetSharp.Metrics;

/// <summary>
/// What a model that learned nothing scores on the same references: the Dice of constant label maps, computed from the
/// references' class counts alone, with the same rules as the real scores (per case, empty-vs-empty NaN and left out,
/// then the mean over cases per class, then over classes). <see cref="AllBackground"/> predicts 0 everywhere;
/// <see cref="AllForeground"/>[k] predicts class k everywhere (on ISBI, where 79 % of pixels are foreground, that scores
/// 0.87). <see cref="Best"/> is the best mean Dice any one constant map reaches: the bar a model must clear.
/// Overlapping regions are scored as exclusive classes here, so for regions the bar is a lower bound.
/// </summary>
public sealed record TrivialBaseline(IReadOnlyList<int> Labels, IReadOnlyList<double> AllBackground, IReadOnlyList<double> AllForeground,
    double AllBackgroundMean, double Best, int BestConstant)
{
    /// <summary>A score must exceed <see cref="Best"/> by more than this to count as beating it: a model within a
    /// hundredth of a constant map has learned nothing measurable.</summary>
    public const double Margin = 0.01;

    /// <summary>True when <paramref name="meanDice"/> clears the bar; a NaN score (nothing scorable) does not.</summary>
    public bool BeatenBy(double meanDice) => !double.IsNaN(meanDice) && (double.IsNaN(Best) || meanDice > Best + Margin);

    /// <summary>From scored cases: a class's reference voxels are TP + FN, the case's voxels TP + FP + FN + TN.</summary>
    public static TrivialBaseline Of(EvaluationSummary summary)
    {
        var labels = summary.Classes.Select(c => c.Label).ToArray();
        return FromCounts(labels, summary.CaseResults.Select(c =>
        {
            var counts = labels.Select(l => c.Classes.FirstOrDefault(k => k.Label == l)?.Overlap.ReferenceVoxels ?? 0).ToArray();
            var o = c.Classes[0].Overlap;
            return (counts, o.TruePositives + o.FalsePositives + o.FalseNegatives + o.TrueNegatives);
        }));
    }

    /// <summary>From reference label maps (validation cases before any prediction).</summary>
    public static TrivialBaseline Of(IEnumerable<int[]> references, IReadOnlyList<int> labels) =>
        FromCounts(labels, references.Select(r =>
        {
            var counts = new long[labels.Count];
            foreach (int v in r)
                for (int k = 0; k < labels.Count; k++)
                    if (v == labels[k]) { counts[k]++; break; }
            return (counts, (long)r.Length);
        }));

    /// <summary>Per case: the reference voxel count of every label (in <paramref name="labels"/> order) and the case's voxels.</summary>
    public static TrivialBaseline FromCounts(IReadOnlyList<int> labels, IEnumerable<(long[] Counts, long Voxels)> cases)
    {
        var list = cases.ToList();
        int n = labels.Count;
        // the constant map "all c" scores class k: 2R/(R+N) when c = k (0 when the case lacks k); else 0 when the case has k, NaN when not
        double ClassDice(int constant, int k) => Mean(list.Select(c =>
        {
            long r = c.Counts[k];
            if (constant == k) return c.Voxels == 0 ? double.NaN : 2.0 * r / (r + c.Voxels);
            return r > 0 ? 0.0 : double.NaN;
        }));
        double MapMean(int constant) => Mean(Enumerable.Range(0, n).Select(k => ClassDice(constant, k)));
        var background = Enumerable.Range(0, n).Select(k => ClassDice(-1, k)).ToArray();
        var foreground = Enumerable.Range(0, n).Select(k => ClassDice(k, k)).ToArray();
        double bestValue = MapMean(-1);
        int best = 0;
        for (int k = 0; k < n; k++)
        {
            double v = MapMean(k);
            if (double.IsNaN(bestValue) || v > bestValue) { bestValue = v; best = labels[k]; }
        }
        return new TrivialBaseline(labels.ToArray(), background, foreground, MapMean(-1), bestValue, best);
    }

    /// <summary>"all background 0.000, all foreground 0.864" (per class when several).</summary>
    public string Describe()
    {
        static string F(double v) => double.IsNaN(v) ? "-" : v.ToString("F3", System.Globalization.CultureInfo.InvariantCulture);
        string fg = Labels.Count == 1 ? F(AllForeground[0]) : string.Join(", ", Labels.Select((l, i) => $"class {l} {F(AllForeground[i])}"));
        return $"all background {F(AllBackgroundMean)}, all foreground {fg}";
    }

    /// <summary>{ "all_background": { "mean_dice", "classes": {...} }, "all_foreground": { "classes": {...} }, "best_mean_dice", "best_constant_label", "margin" }.</summary>
    public JsonObject ToJson()
    {
        JsonObject PerClass(IReadOnlyList<double> values) =>
            new(Labels.Select((l, i) => new KeyValuePair<string, JsonNode?>(l.ToString(System.Globalization.CultureInfo.InvariantCulture), Num(values[i]))));
        return new JsonObject
        {
            ["all_background"] = new JsonObject { ["mean_dice"] = Num(AllBackgroundMean), ["classes"] = PerClass(AllBackground) },
            ["all_foreground"] = new JsonObject { ["classes"] = PerClass(AllForeground) },
            ["best_mean_dice"] = Num(Best),
            ["best_constant_label"] = BestConstant,
            ["margin"] = Margin,
        };
    }

    static JsonNode? Num(double v) => double.IsFinite(v) ? Math.Round(v, 5) : null;

    static double Mean(IEnumerable<double> values)
    {
        double sum = 0;
        int count = 0;
        foreach (double v in values)
            if (!double.IsNaN(v)) { sum += v; count++; }
        return count == 0 ? double.NaN : sum / count;
    }
}
