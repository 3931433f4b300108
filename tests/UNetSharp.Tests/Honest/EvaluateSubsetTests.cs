using System.Text.Json;
using UNetSharp.Cli;
using UNetSharp.IO;

namespace UNetSharp.Tests.Honest;

/// <summary>`evaluate --allow-missing` scores a subset of a reference folder: only the predicted cases, the skipped
/// references counted once; without it, each missing case is listed and the exit code is 3.</summary>
public sealed class EvaluateSubsetTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-subset-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void AllowMissingScoresOnlyThePredictedCasesAndCountsTheRest()
    {
        string pred = Directory.CreateDirectory(Path.Combine(root, "pred")).FullName, refs = Directory.CreateDirectory(Path.Combine(root, "ref")).FullName;
        int[] map = Enumerable.Range(0, 16).Select(i => i % 3 == 0 ? 1 : 0).ToArray();
        foreach (string id in new[] { "a", "b", "c" }) PngFile.WriteLabels(Path.Combine(refs, id + ".png"), map, 4, 4);
        PngFile.WriteLabels(Path.Combine(pred, "b.png"), map, 4, 4);

        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        Assert.Equal(3, CliApp.Run(["evaluate", "--pred", pred, "--ref", refs, "--out", Path.Combine(root, "strict")], stdout, stderr));

        (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = CliApp.Run(["evaluate", "--pred", pred, "--ref", refs, "--out", Path.Combine(root, "out"), "--allow-missing"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString() + stdout);
        Assert.Contains("2 reference(s) without a prediction skipped (--allow-missing)", stdout.ToString());
        Assert.DoesNotContain("no prediction for reference", stdout.ToString());
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(root, "out", "summary.json")));
        Assert.Equal(1, summary.RootElement.GetProperty("cases").GetInt32());
        Assert.Equal(2, summary.RootElement.GetProperty("skipped_references").GetInt32());
        Assert.True(summary.RootElement.GetProperty("complete").GetBoolean());
        Assert.Equal(1.0, summary.RootElement.GetProperty("classes").GetProperty("1").GetProperty("dice").GetDouble());
    }
}
