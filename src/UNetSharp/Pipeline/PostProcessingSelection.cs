using System.Globalization;
using System.Text;
using UNetSharp.Data;
using UNetSharp.IO;
using UNetSharp.Metrics;
using UNetSharp.Planning;

namespace UNetSharp.Pipeline;

/// <summary>One validation case's Dice for one class at one depth, raw and after each clean-up of that class.</summary>
public sealed record CaseClassDice(int Fold, int Depth, string Case, int Class, double Dice, double KeepLargest, double FillHoles, double Both);

/// <summary>
/// nnU-Net's post-processing rule on cross-validation predictions: for each foreground class, keep-largest-component is
/// turned on only if it raises the class's mean Dice over all validation cases, then hole filling (after keep-largest when
/// that is on) only if it raises it further. Both act on one class and turn its voxels to background (keep-largest) or
/// background voxels into it (hole filling), so no other class's Dice can change: "it does not hurt the others" holds
/// by construction. Cases where the class is absent from reference and prediction (Dice undefined) are left out.
/// </summary>
public static class PostProcessingSelection
{
    public const string CsvHeader = "fold,depth,case,class,dice,dice_keep_largest,dice_fill_holes,dice_keep_largest_fill_holes";

    /// <summary>The four Dice values of every foreground class (1..classes−1, or 1 for a binary network) of one predicted case.</summary>
    public static IEnumerable<CaseClassDice> Score(int fold, int depth, SegmentationCase c, int[] prediction, int foregroundClasses)
    {
        for (int cls = 1; cls <= foregroundClasses; cls++)
        {
            var largest = (int[])prediction.Clone();
            PostProcessingPlan.KeepLargestOf(largest, c.Shape, cls);
            var filled = (int[])prediction.Clone();
            PostProcessingPlan.FillHolesOf(filled, c.Shape, cls);
            var both = (int[])largest.Clone();
            PostProcessingPlan.FillHolesOf(both, c.Shape, cls);
            double Dice(int[] p) => OverlapMetrics.Compute(p, c.Label!, cls).Dice;
            yield return new CaseClassDice(fold, depth, c.Id, cls, Dice(prediction), Dice(largest), Dice(filled), Dice(both));
        }
    }

    /// <summary>The choice at one depth, with each class's mean Dice raw, with keep-largest, and with the chosen clean-ups.</summary>
    public static (PostProcessingPlan Plan, IReadOnlyList<ClassChoice> Classes) Choose(IEnumerable<CaseClassDice> rows, string chosenOn)
    {
        var keep = new List<int>();
        var fill = new List<int>();
        var classes = new List<ClassChoice>();
        foreach (var group in rows.Where(r => !double.IsNaN(r.Dice)).GroupBy(r => r.Class).OrderBy(g => g.Key))
        {
            double raw = group.Average(r => r.Dice), largest = group.Average(r => r.KeepLargest);
            bool keepOn = largest > raw;
            double current = keepOn ? largest : raw;
            double filled = group.Average(r => keepOn ? r.Both : r.FillHoles);
            bool fillOn = filled > current;
            if (keepOn) keep.Add(group.Key);
            if (fillOn) fill.Add(group.Key);
            classes.Add(new ClassChoice(group.Key, group.Count(), raw, largest, filled, keepOn, fillOn, fillOn ? filled : current));
        }
        return (new PostProcessingPlan { KeepLargest = keep, FillHoles = fill, ChosenOn = chosenOn }, classes);
    }

    public static void WriteCsv(string path, IEnumerable<CaseClassDice> rows)
    {
        var text = new StringBuilder(CsvHeader).Append('\n');
        foreach (var r in rows)
            text.Append(CultureInfo.InvariantCulture, $"{r.Fold},{r.Depth},{Quote(r.Case)},{r.Class},{Number(r.Dice)},{Number(r.KeepLargest)},{Number(r.FillHoles)},{Number(r.Both)}\n");
        AtomicFile.WriteAllText(path, text.ToString());
    }

    public static List<CaseClassDice> ReadCsv(string path)
    {
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0 || lines[0] != CsvHeader) throw new DataFormatException(path, $"expected the header '{CsvHeader}'");
        var rows = new List<CaseClassDice>();
        foreach (var line in lines.Skip(1).Where(l => l.Length > 0))
        {
            // the case id may hold commas (quoted): the numbers are the last five fields, fold and depth the first two
            var head = line.Split(',', 3);
            var tail = head.Length == 3 ? head[2].Split(',') : [];
            if (tail.Length < 6) throw new DataFormatException(path, $"malformed row '{line}'");
            string id = string.Join(',', tail[..^5]);
            if (id.Length >= 2 && id[0] == '"') id = id[1..^1].Replace("\"\"", "\"");
            double D(string s) => s.Length == 0 ? double.NaN : double.Parse(s, CultureInfo.InvariantCulture);
            rows.Add(new CaseClassDice(int.Parse(head[0], CultureInfo.InvariantCulture), int.Parse(head[1], CultureInfo.InvariantCulture), id,
                int.Parse(tail[^5], CultureInfo.InvariantCulture), D(tail[^4]), D(tail[^3]), D(tail[^2]), D(tail[^1])));
        }
        return rows;
    }

    static string Number(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);

    static string Quote(string s) => s.Contains(',') || s.Contains('"') ? $"\"{s.Replace("\"", "\"\"")}\"" : s;
}

/// <summary>One class's post-processing decision: mean CV Dice raw, with keep-largest, with hole filling (after keep-largest when on), and with the chosen clean-ups.</summary>
public sealed record ClassChoice(int Class, int Cases, double Raw, double KeepLargest, double FillHoles, bool KeepLargestOn, bool FillHolesOn, double Chosen);
