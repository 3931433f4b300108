using UNetSharp.Cli;
using UNetSharp.IO;
using UNetSharp.Tests.Inference.Jobs;
using UNetSharp.Tests.Pipeline;

namespace UNetSharp.Tests.Cli;

/// <summary>
/// An output that cannot be written is refused before any work, naming the flag and the folder (exit 2, nothing
/// written), never reported later as an I/O error about one of our temp files. Tests run as root, so permission bits
/// prove nothing: /proc refuses new entries to everybody, and a 300-byte folder name is too long on every file system.
/// </summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class UnwritableOutputTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-unwritable-").FullName;
    readonly StringWriter stdout = new(), stderr = new();

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    static string InProc() => $"/proc/unetsharp-test-{Guid.NewGuid():N}";

    string TooLong() => Path.Combine(root, new string('n', 300), "sub");

    /// <summary>Exit 2 and one error line that names the flag and the given folder, with no temp-file name in it.</summary>
    void AssertRefused(int code, string flag, string folder)
    {
        string err = stderr.ToString();
        Assert.True(code == CliApp.BadInput, $"exit {code}: {err}");
        string line = Assert.Single(err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"error: {flag} {folder}", line);
        Assert.DoesNotContain(".tmp", line);
        stderr.GetStringBuilder().Clear();
    }

    [Fact]
    public void PathGuardNamesWhyAFolderCannotBeWritten()
    {
        Assert.Null(PathGuard.WhyNotWritable(Dir("new/deeper")));
        Assert.Null(PathGuard.WhyNotWritable(root));
        Assert.Contains("refused a new entry", PathGuard.WhyNotWritable(InProc()));
        Assert.Contains("longer than 255 bytes", PathGuard.WhyNotWritable(TooLong()));
        File.WriteAllText(Dir("file"), "x");
        Assert.Contains("is a file", PathGuard.WhyNotWritable(Dir("file/sub")));
        // the probe leaves nothing behind
        Assert.Equal(["file"], Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName));
        Assert.Contains("cannot be written", Assert.Throws<ConfigurationException>(() => PathGuard.RequireFolderOrAbsent(InProc(), "output folder")).Message);
    }

    [Fact]
    public void EvaluateRefusesAnUnwritableOutFolder()
    {
        string pred = Directory.CreateDirectory(Dir("pred")).FullName, refs = Directory.CreateDirectory(Dir("ref")).FullName;
        int[] labels = Enumerable.Range(0, 16).Select(i => i < 6 ? 1 : 0).ToArray();
        PngFile.WriteLabels(Path.Combine(refs, "a.png"), labels, 4, 4);
        PngFile.WriteLabels(Path.Combine(pred, "a.png"), labels, 4, 4);
        foreach (string bad in new[] { InProc(), TooLong() })
            AssertRefused(CliApp.Run(["evaluate", "--pred", pred, "--ref", refs, "--out", bad, "--no-surface"], stdout, stderr), "--out", bad);
    }

    [Fact]
    public void PredictAndExportRefuseAnUnwritableOutput()
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), PredictionTestFiles.Tiny(dims: 2), [16, 16]);
        string input = PredictionTestFiles.WritePng(Path.Combine(Directory.CreateDirectory(Dir("in")).FullName, "a.png"), 16, 16);
        foreach (string bad in new[] { InProc(), TooLong() })
        {
            AssertRefused(CliApp.Run(["predict", "--model", run, "--input", input, "--out", bad], stdout, stderr), "--out", bad);
            string onnx = Path.Combine(bad, "m.onnx");
            AssertRefused(CliApp.Run(["export", "--model", run, "--out", onnx], stdout, stderr), "--out", onnx);
        }
        Assert.Equal(["in", "run"], Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void TrainRefusesAnUnwritableRunFolder()
    {
        string data = RunTestData.Cells(Dir("data"), images: 4, size: 32);
        foreach (string bad in new[] { InProc(), TooLong() })
            AssertRefused(CliApp.Run(["train", "--data", data, "--out", bad, "--widths", "4,8", "--depth", "1", "--epochs", "1"], stdout, stderr), "--out", bad);
        Assert.Equal(["data"], Directory.EnumerateFileSystemEntries(root).Select(Path.GetFileName));
    }
}
