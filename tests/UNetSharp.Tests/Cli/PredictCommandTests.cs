using System.Text.Json;
using Spectre.Console.Cli;
using UNetSharp.Cli.Commands;
using UNetSharp.Inference.Jobs;
using UNetSharp.Tests.Inference.Jobs;

namespace UNetSharp.Tests.Cli;

/// <summary>`unetsharp predict` through Spectre's command app: exit codes, skipped files, nothing written on bad arguments.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class PredictCommandTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-predict-cli-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    static int Cli(params string[] args)
    {
        var app = new CommandApp();
        app.Configure(config =>
        {
            config.PropagateExceptions();
            config.AddCommand<PredictCommand>("predict");
        });
        return app.Run(args);
    }

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
        Assert.True(File.Exists(Path.Combine(Dir("out"), "c_overlay.png")));
        Assert.False(File.Exists(Path.Combine(Dir("out"), "b.png")));
        using var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(Dir("out"), PredictionJobReport.FileName)));
        var files = summary.RootElement.GetProperty("files").EnumerateArray().ToList();
        Assert.Equal(new[] { "ok", "failed", "ok" }, files.Select(f => f.GetProperty("status").GetString()));
        Assert.Contains("b.png", files[1].GetProperty("error").GetString());
        Assert.Empty(Directory.GetFiles(Dir("out"), "*.tmp"));
    }

    [Fact]
    public void AllGoodFilesExitZero()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 16, 16);
        Assert.Equal(0, Cli("predict", "--model", run, "--input", input, "--out", Dir("out"), "--depth", "1", "--tta", "--cgm", "soft"));
        Assert.True(File.Exists(Path.Combine(Dir("out"), "a.png")));
    }

    [Fact]
    public void AMissingModelExitsTwoAndLeavesNoOutputFolder()
    {
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 16, 16);
        var error = new StringWriter();
        var previous = Console.Error;
        Console.SetError(error);
        int code;
        try { code = Cli("predict", "--model", Dir("no-such-run"), "--input", input, "--out", Dir("out")); }
        finally { Console.SetError(previous); }

        Assert.Equal(2, code);
        Assert.False(Directory.Exists(Dir("out")));
        Assert.StartsWith($"error: {Dir("no-such-run")}: model not found", error.ToString());
    }

    [Theory]
    [InlineData("--depth", "9")]
    [InlineData("--cgm", "maybe")]
    [InlineData("--overlap", "1.5")]
    [InlineData("--tile", "18")]
    public void ABadOptionExitsTwoAndLeavesNoOutputFolder(string option, string value)
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 16, 16);
        Assert.Equal(2, Cli("predict", "--model", run, "--input", input, "--out", Dir("out"), option, value));
        Assert.False(Directory.Exists(Dir("out")));
    }
}
