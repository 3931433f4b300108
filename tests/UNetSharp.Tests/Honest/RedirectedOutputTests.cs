using UNetSharp.Tests.Evaluation;

namespace UNetSharp.Tests.Honest;

/// <summary>Output redirected to a file (Slurm, CI) is not hard-wrapped at 80 columns: help examples and table rows stay
/// on one line. Runs the built CLI as a child process with stdout a pipe and no COLUMNS, as a batch job does.</summary>
[Trait("Category", "Slow")]
public sealed class RedirectedOutputTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-redirect-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void HelpExamplesAndTableRowsStayOnOneLine()
    {
        var help = CliProcess.RunAsLog(root, "train", "--help");
        Assert.Equal(0, help.ExitCode);
        var lines = help.Stdout.Split('\n');
        Assert.Contains(lines, l => l.Trim() == "unetsharp train --data ../shared/data/isbi2012-em --out runs/isbi --epochs 40");
        Assert.Contains(lines, l => l.Contains("--time-budget <TIME>") && l.Contains("saved in config.json as 'iterations' (default: none, --epochs)"));

        // an evaluate table with a long region name: 13 columns do not fit 80
        string pred = Directory.CreateDirectory(Path.Combine(root, "pred")).FullName, refs = Directory.CreateDirectory(Path.Combine(root, "ref")).FullName;
        int[] reference = Enumerable.Range(0, 16).Select(i => i < 6 ? 1 : i < 12 ? 2 : 0).ToArray();
        UNetSharp.IO.PngFile.WriteLabels(Path.Combine(refs, "a.png"), reference, 4, 4);
        UNetSharp.IO.PngFile.WriteLabels(Path.Combine(pred, "a.png"), reference, 4, 4);
        var eval = CliProcess.RunAsLog(root, "evaluate", "--pred", pred, "--ref", refs, "--out", Path.Combine(root, "out"), "--regions", "everything_that_is_not_background=1,2;second_class_only=2");
        Assert.True(eval.ExitCode == 0, eval.Stderr);
        var rows = eval.Stdout.Split('\n');
        Assert.Contains(rows, l => l.Contains("everything_that_is_not_background") && l.Contains("1.000") && l.TrimEnd().EndsWith('│'));
        Assert.Contains(rows, l => l.Contains("second_class_only") && l.TrimEnd().EndsWith('│'));
    }
}
