using System.Text.Json;
using UNetSharp.Cli;
using UNetSharp.Cli.Commands;
using UNetSharp.Prediction;
using UNetSharp.Tests.Inference.Jobs;

namespace UNetSharp.Tests.Cli;

/// <summary>`unetsharp predict` through Spectre's command app: exit codes, skipped files, nothing written on bad arguments.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class PredictCommandTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-predict-cli-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    readonly StringWriter stdout = new(), stderr = new();

    int Cli(params string[] args) => CliApp.Run(args, stdout, stderr);

    [Fact]
    public void OneCorruptFileInAFolderIsReportedAndSkippedWhileTheOthersAreWritten()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string inDir = Directory.CreateDirectory(Dir("in")).FullName;
        PredictionTestFiles.WritePng(Path.Combine(inDir, "a.png"), 20, 24);
        File.WriteAllBytes(Path.Combine(inDir, "b.png"), [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);
        PredictionTestFiles.WritePng(Path.Combine(inDir, "c.png"), 16, 16, seed: 2);

        int code = Cli("predict", "--model", run, "--input", inDir, "--out", Dir("out"), "--overlays");

        Assert.Equal(PredictCommand.SomeFilesFailed, code);
        Assert.True(File.Exists(Path.Combine(Dir("out"), "a.png")));
        Assert.True(File.Exists(Path.Combine(Dir("out"), "c.png")));
        Assert.True(File.Exists(Path.Combine(Dir("out"), PredictionOutputs.OverlayFolder, "c_overlay.png")));
        Assert.False(File.Exists(Path.Combine(Dir("out"), "b.png")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir("out"), PredictionJobReport.FileName)));
        var files = summary.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(new[] { "ok", "failed", "ok" }, files.Select(f => f.GetProperty("status").GetString()));
        Assert.Contains("b.png", files[1].GetProperty("error").GetString());
        Assert.Empty(Directory.GetFiles(Dir("out"), "*.tmp"));
    }

    [Fact]
    public void OneCorruptInputAloneExitsTwoAndWritesNothing()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string inDir = Directory.CreateDirectory(Dir("in")).FullName;
        string corrupt = Path.Combine(inDir, "b.png");
        File.WriteAllBytes(corrupt, [0x89, (byte)'P', (byte)'N', (byte)'G', 1, 2, 3]);

        Assert.Equal(CliApp.BadInput, Cli("predict", "--model", run, "--input", corrupt, "--out", Dir("out")));
        Assert.False(Directory.Exists(Dir("out")));
        Assert.StartsWith($"error: {corrupt}: ", stderr.ToString().Split('\n').Last(l => l.Length > 0));

        // a folder whose every input fails is the same: exit 2, nothing written, the failures named
        File.Copy(corrupt, Path.Combine(inDir, "c.png"));
        Assert.Equal(CliApp.BadInput, Cli("predict", "--model", run, "--input", inDir, "--out", Dir("out")));
        Assert.False(Directory.Exists(Dir("out")));
        Assert.Contains("all 2 inputs failed, nothing written", stderr.ToString());
    }

    [Fact]
    public void AllGoodFilesExitZero()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 16, 16);
        Assert.Equal(0, Cli("predict", "--model", run, "--input", input, "--out", Dir("out"), "--depth", "1", "--tta", "--cgm-gating", "soft"));
        Assert.True(File.Exists(Path.Combine(Dir("out"), "a.png")));
    }

    [Fact]
    public void AMissingModelExitsTwoAndLeavesNoOutputFolder()
    {
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 16, 16);
        int code = Cli("predict", "--model", Dir("no-such-run"), "--input", input, "--out", Dir("out"));

        Assert.Equal(2, code);
        Assert.False(Directory.Exists(Dir("out")));
        Assert.StartsWith($"error: {Dir("no-such-run")}: model not found", stderr.ToString());
    }

    [Theory]
    [InlineData("--depth", "9")]
    [InlineData("--cgm-gating", "maybe")]
    [InlineData("--overlap", "NaN")]
    [InlineData("--batch", "0")]
    [InlineData("--overlap", "1.5")]
    [InlineData("--tile", "18")]
    public void ABadOptionExitsTwoAndLeavesNoOutputFolder(string option, string value)
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 16, 16);
        Assert.Equal(2, Cli("predict", "--model", run, "--input", input, "--out", Dir("out"), option, value));
        Assert.False(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void OverlaysGoToTheirOwnFolderSoThatEvaluateScoresTheOutputFolderAsItIs()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string inDir = Directory.CreateDirectory(Dir("in")).FullName;
        PredictionTestFiles.WritePng(Path.Combine(inDir, "a.png"), 16, 16);
        PredictionTestFiles.WritePng(Path.Combine(inDir, "b.png"), 16, 16, seed: 2);
        Assert.Equal(0, Cli("predict", "--model", run, "--input", inDir, "--out", Dir("out"), "--overlays"));

        Assert.Equal(new[] { "a_overlay.png", "b_overlay.png" }, Directory.GetFiles(Path.Combine(Dir("out"), "overlays")).Select(Path.GetFileName).Order());
        // hidden files (the output ledger) aside, the output folder holds the label maps and the summary only
        Assert.Equal(new[] { "a.png", "b.png", PredictionJobReport.FileName },
            Directory.GetFiles(Dir("out")).Select(Path.GetFileName).Where(n => !n!.StartsWith('.')).Order());
        // the predictions scored against copies of themselves: every file pairs (exit 0, not 3 for unmatched overlays)
        Directory.CreateDirectory(Dir("ref"));
        foreach (string name in new[] { "a.png", "b.png" }) File.Copy(Path.Combine(Dir("out"), name), Path.Combine(Dir("ref"), name));
        int code = Cli("evaluate", "--pred", Dir("out"), "--ref", Dir("ref"), "--out", Dir("eval"), "--no-surface", "--labels", "1");
        Assert.True(code == 0, stderr.ToString());
    }

    [Fact]
    public void TheNnUNetChannelSuffixIsDroppedFromOutputNames()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string inDir = Directory.CreateDirectory(Dir("in")).FullName;
        PredictionTestFiles.WritePng(Path.Combine(inDir, "case_0000.png"), 16, 16);
        PredictionTestFiles.WritePng(Path.Combine(inDir, "other_0001.png"), 16, 16, seed: 2);
        Assert.Equal(0, Cli("predict", "--model", run, "--input", inDir, "--out", Dir("out"), "--probabilities", "--overlays"));

        Assert.True(File.Exists(Path.Combine(Dir("out"), "case.png")));
        Assert.True(File.Exists(Path.Combine(Dir("out"), "case_prob1.png")));
        Assert.True(File.Exists(Path.Combine(Dir("out"), "overlays", "case_overlay.png")));
        Assert.True(File.Exists(Path.Combine(Dir("out"), "other_0001.png")));   // only channel 0's suffix names a case
        Assert.False(File.Exists(Path.Combine(Dir("out"), "case_0000.png")));
    }

    [Fact]
    public void TwoInputsThatWouldShareAnOutputNameAreRefusedBeforeAnythingIsWritten()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string inDir = Directory.CreateDirectory(Dir("in")).FullName;
        PredictionTestFiles.WritePng(Path.Combine(inDir, "case.png"), 16, 16);
        PredictionTestFiles.WritePng(Path.Combine(inDir, "case_0000.png"), 16, 16, seed: 2);

        Assert.Equal(CliApp.BadInput, Cli("predict", "--model", run, "--input", inDir, "--out", Dir("out")));
        Assert.Contains("case.png", stderr.ToString());
        Assert.Contains("case_0000.png", stderr.ToString());
        Assert.False(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void ARandomBytesCheckpointGivesOneShortPrintableLine()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        var bytes = new byte[21_000];
        new Random(5).NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(run, "best.ckpt"), bytes);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 16, 16);

        Assert.Equal(CliApp.BadInput, Cli("predict", "--model", run, "--input", input, "--out", Dir("out")));
        string message = stderr.ToString().TrimEnd('\n');
        Assert.StartsWith("error: ", message);
        Assert.DoesNotContain('\n', message);
        Assert.InRange(message.Length, 10, 600);
        Assert.All(message, c => Assert.False(char.IsControl(c)));
        Assert.False(Directory.Exists(Dir("out")));
    }

    [Fact]
    public void AnOutputFolderBlockedByAFileExitsTwoNamingOut()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 16, 16);
        File.WriteAllText(Dir("blocker"), "not a folder");

        Assert.Equal(CliApp.BadInput, Cli("predict", "--model", run, "--input", input, "--out", Path.Combine(Dir("blocker"), "sub")));
        Assert.StartsWith("error: --out ", stderr.ToString());
        Assert.Equal("not a folder", File.ReadAllText(Dir("blocker")));
    }

    [Fact]
    public void AnOutputFolderThatCannotBeWrittenIsRefusedUpFront()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 16, 16);
        // /proc refuses new entries even to root: known before any work, so refused as a bad --out (more in UnwritableOutputTests)
        string output = $"/proc/unetsharp-test-{Guid.NewGuid():N}";
        Assert.Equal(CliApp.BadInput, Cli("predict", "--model", run, "--input", input, "--out", output));
        Assert.StartsWith($"error: --out {output} cannot be written", stderr.ToString());
    }
}
