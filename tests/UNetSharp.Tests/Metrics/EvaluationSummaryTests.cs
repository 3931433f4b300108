using System.Text.Json;
using UNetSharp.Metrics;

namespace UNetSharp.Tests.Metrics;

public class EvaluationSummaryTests
{
    // Three 1×4 cases, labels 1 and 2, spacing (1, 2):
    //   a: pred [1,1,0,0], ref [1,0,0,0]: label 1 TP 1, FP 1, FN 0 → Dice 2/3; label 2 absent from both → NaN.
    //      Distances: pred→ref = [0, 2] (P95 = 0 + 0.95·2 = 1.9), ref→pred = [0] → HD95 1.9, ASSD (0+2+0)/3 = 2/3.
    //   b: pred empty, ref [0,0,1,1]: label 1 TP 0, FN 2 → Dice 0, distances NaN (one side empty).
    //      Label 2 absent → NaN.
    //   c: both empty → label 1 Dice NaN, distances NaN; label 2 NaN.
    static EvaluationSummary Summary()
    {
        int[] shape = [1, 4];
        double[] spacing = [1.0, 2.0];
        int[] labels = [1, 2];
        return new EvaluationSummary(
        [
            CaseEvaluation.Evaluate([1, 1, 0, 0], [1, 0, 0, 0], shape, spacing, labels, "a"),
            CaseEvaluation.Evaluate([0, 0, 0, 0], [0, 0, 1, 1], shape, spacing, labels, "b"),
            CaseEvaluation.Evaluate([0, 0, 0, 0], [0, 0, 0, 0], shape, spacing, labels, "c"),
        ]);
    }

    [Fact]
    public void Means_exclude_NaN_and_count_it_and_global_dice_pools_counts()
    {
        var one = Summary().Classes[0];
        Assert.Equal(1, one.Label);
        Assert.Equal(3, one.Cases);
        Assert.Equal(1.0 / 3, one.Dice, 12);      // (2/3 + 0) / 2, case c excluded
        Assert.Equal(1, one.NanDice);
        Assert.Equal(0.4, one.GlobalDice, 12);    // ΣTP 1, ΣFP 1, ΣFN 2: 2 / (2 + 1 + 2)
        Assert.Equal(1.9, one.Hd95, 12);          // only case a is defined
        Assert.Equal(2.0 / 3, one.Assd, 12);
        Assert.Equal(2, one.NanHd95);             // b (one side empty) and c (both empty)
        Assert.Equal(1, one.OneSideEmpty);

        var two = Summary().Classes[1];
        Assert.True(double.IsNaN(two.Dice));
        Assert.True(double.IsNaN(two.GlobalDice)); // 0 / 0
        Assert.Equal(3, two.NanDice);
    }

    [Fact]
    public void Json_writes_NaN_as_null()
    {
        using var doc = JsonDocument.Parse(Summary().ToJson());
        var root = doc.RootElement;
        Assert.Equal(3, root.GetProperty("cases").GetInt32());
        var one = root.GetProperty("classes").GetProperty("1");
        Assert.Equal(1.0 / 3, one.GetProperty("dice").GetDouble(), 12);
        Assert.Equal(0.4, one.GetProperty("global_dice").GetDouble(), 12);
        Assert.Equal(1.9, one.GetProperty("hd95").GetDouble(), 12);
        Assert.Equal(3, one.GetProperty("n").GetInt32());
        Assert.Equal(1, one.GetProperty("nan_dice").GetInt32());
        Assert.Equal(2, one.GetProperty("nan_hd95").GetInt32());
        var two = root.GetProperty("classes").GetProperty("2");
        Assert.Equal(JsonValueKind.Null, two.GetProperty("dice").ValueKind);
        Assert.Equal(JsonValueKind.Null, two.GetProperty("hd95").ValueKind);
        Assert.Equal(JsonValueKind.Null, two.GetProperty("global_dice").ValueKind);
    }

    [Fact]
    public void Csv_has_one_row_per_case_and_class()
    {
        string[] rows = Summary().ToCsv().TrimEnd('\n').Split('\n');
        Assert.Equal(EvaluationSummary.CsvHeader, rows[0]);
        Assert.Equal(7, rows.Length); // header + 3 cases × 2 classes
        // Case a, label 1: TP 1, FP 1, FN 0, TN 2; Dice 2/3, IoU 1/2, precision 1/2, recall 1, HD95 1.9, HD100 2, ASSD 2/3.
        Assert.Equal($"a,1,1,1,0,2,{2.0 / 3:R},0.5,0.5,1,1.9,2,{2.0 / 3:R}", rows[1]);
        Assert.Equal("a,2,0,0,0,4,NaN,NaN,NaN,NaN,NaN,NaN,NaN", rows[2]);
        Assert.StartsWith("b,1,0,0,2,2,0,0,NaN,0,NaN,", rows[3]);
    }

    [Fact]
    public void Writes_files_that_read_back_identical()
    {
        string dir = Path.Combine(Path.GetTempPath(), "unetsharp-metrics-" + Guid.NewGuid().ToString("N"));
        try
        {
            var summary = Summary();
            summary.WriteJson(Path.Combine(dir, "summary.json"));
            summary.WriteCsv(Path.Combine(dir, "cases.csv"));
            Assert.Equal(summary.ToJson(), File.ReadAllText(Path.Combine(dir, "summary.json")));
            Assert.Equal(summary.ToCsv(), File.ReadAllText(Path.Combine(dir, "cases.csv")));
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }
}
