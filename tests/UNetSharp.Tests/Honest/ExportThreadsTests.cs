using UNetSharp.Cli;
using UNetSharp.Pipeline;
using UNetSharp.Tests.Pipeline;

namespace UNetSharp.Tests.Honest;

/// <summary>`export --threads` is accepted like every other computing command's, and the caller's thread count is kept.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)] // trains: seeds torch's global generator
public sealed class ExportThreadsTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-exportthreads-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void ExportTakesThreadsAndRestoresTheCallersCount()
    {
        string data = RunTestData.Cells(Path.Combine(root, "data"), images: 4), run = Path.Combine(root, "run");
        TrainingRun.Run(RunTestData.Tiny(data, run, epochs: 1));
        int before = TorchSharp.torch.get_num_threads();
        var (stdout, stderr) = (new StringWriter(), new StringWriter());
        int code = CliApp.Run(["export", "--model", run, "--out", Path.Combine(root, "m.onnx"), "--threads", "1"], stdout, stderr);
        Assert.True(code == 0, stderr.ToString());
        Assert.True(File.Exists(Path.Combine(root, "m.onnx")));
        Assert.Equal(before, TorchSharp.torch.get_num_threads());
        Assert.Equal(2, CliApp.Run(["export", "--model", run, "--out", Path.Combine(root, "n.onnx"), "--threads", "0"], stdout, stderr));
    }
}
