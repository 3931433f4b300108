namespace UNetSharp.Tests.Honest;

/// <summary>`evaluate` shows the baselines beside the scores (console table, summary.json, report.html) and warns when the
/// predictions do not beat them.</summary>
public sealed class EvaluateBaselineTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-evalbase-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void EvaluateShowsTheBaselinesAndWarnsWhenAllForegroundDoesNotBeatThem()
    {
        string pred = Directory.CreateDirectory(Path.Combine(root, "pred")).FullName, refs = Directory.CreateDirectory(Path.Combine(root, "ref")).FullName;
        // reference: 3 of 4 rows foreground; prediction: everything foreground (Dice 2*12/(12+16) = 0.857, exactly the all-foreground baseline)
        int[] reference = Enumerable.Range(0, 16).Select(i => i < 12 ? 1 : 0).ToArray();
        UNetSharp.IO.PngFile.WriteLabels(Path.Combine(refs, "a.png"), reference, 4, 4);
        UNetSharp.IO.PngFile.WriteLabels(Path.Combine(pred, "a.png"), Enumerable.Repeat(1, 16).ToArray(), 4, 4);
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = UNetSharp.Cli.CliApp.Run(["evaluate", "--pred", pred, "--ref", refs, "--out", Path.Combine(root, "out")], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        string console = stdout.ToString();
        Assert.Contains("all-bg", console);
        Assert.Matches(@"│ 1\s+│ 1\s+│ 0\.857 .*│ 0\.000\s+│ 0\.857\s+│", console);
        Assert.Contains("mean Dice 0.857 does not beat the trivial baseline 0.857", console);
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "out", "summary.json")));
        Assert.False(summary.RootElement.GetProperty("beats_trivial_baseline").GetBoolean());
        Assert.Equal(24.0 / 28, summary.RootElement.GetProperty("trivial_baseline").GetProperty("all_foreground").GetProperty("classes").GetProperty("1").GetDouble(), 4);
        Assert.Contains("does not beat the trivial baseline", File.ReadAllText(Path.Combine(root, "out", "report.html")));
    }
}
