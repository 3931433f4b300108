using System.Text.Json;
using UNetSharp.Cli;
using UNetSharp.IO;

namespace UNetSharp.Tests.Honest;

/// <summary>`evaluate --nnunet-summary` adds nnU-Net v2's summary.json keys with its rules (NaN-skipping means, the
/// foreground mean over classes), numbers by hand.</summary>
public sealed class NnUNetSummaryTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-nnunetsum-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void SummaryJsonCarriesNnUNetsKeys()
    {
        string pred = Directory.CreateDirectory(Path.Combine(root, "pred")).FullName, refs = Directory.CreateDirectory(Path.Combine(root, "ref")).FullName;
        int[] Map(params (int Index, int Value)[] set) { var m = new int[16]; foreach (var (i, v) in set) m[i] = v; return m; }
        PngFile.WriteLabels(Path.Combine(refs, "a.png"), Map((0, 1), (1, 1), (2, 2), (3, 2)), 4, 4);
        PngFile.WriteLabels(Path.Combine(pred, "a.png"), Map((0, 1), (2, 2), (3, 2)), 4, 4);   // class 1: TP 1, FN 1 -> Dice 2/3; class 2: Dice 1
        PngFile.WriteLabels(Path.Combine(refs, "b.png"), Map((5, 1)), 4, 4);
        PngFile.WriteLabels(Path.Combine(pred, "b.png"), Map((5, 1)), 4, 4);                   // class 1: Dice 1; class 2 in neither: NaN
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = CliApp.Run(["evaluate", "--pred", pred, "--ref", refs, "--out", Path.Combine(root, "out"), "--nnunet-summary", "--labels", "1,2"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());

        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "out", "summary.json")));
        var r = doc.RootElement;
        Assert.Equal((2.0 / 3 + 1) / 2, r.GetProperty("mean").GetProperty("1").GetProperty("Dice").GetDouble(), 12);
        Assert.Equal(1.0, r.GetProperty("mean").GetProperty("2").GetProperty("Dice").GetDouble(), 12);           // NaN case skipped
        Assert.Equal(((2.0 / 3 + 1) / 2 + 1) / 2, r.GetProperty("foreground_mean").GetProperty("Dice").GetDouble(), 12);
        Assert.Equal(0.5, r.GetProperty("mean").GetProperty("1").GetProperty("FN").GetDouble(), 12);
        var cases = r.GetProperty("metric_per_case");
        Assert.Equal(2, cases.GetArrayLength());
        Assert.Equal(Path.Combine(pred, "a.png"), cases[0].GetProperty("prediction_file").GetString());
        Assert.Equal(Path.Combine(refs, "a.png"), cases[0].GetProperty("reference_file").GetString());
        var a1 = cases[0].GetProperty("metrics").GetProperty("1");
        Assert.Equal(1, a1.GetProperty("TP").GetDouble());
        Assert.Equal(14, a1.GetProperty("TN").GetDouble());
        Assert.Equal(1, a1.GetProperty("n_pred").GetDouble());
        Assert.Equal(2, a1.GetProperty("n_ref").GetDouble());
        Assert.Equal(JsonValueKind.Null, cases[1].GetProperty("metrics").GetProperty("2").GetProperty("Dice").ValueKind);
        Assert.True(r.TryGetProperty("classes", out _)); // our own keys stay
    }
}
