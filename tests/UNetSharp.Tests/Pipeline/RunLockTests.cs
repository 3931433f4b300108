using System.Diagnostics;
using UNetSharp.Pipeline;

namespace UNetSharp.Tests.Pipeline;

/// <summary>One writer per run folder: a live lock refuses a second run; a dead process's lock is taken over with a warning.</summary>
public sealed class RunLockTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-lock-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void ASecondRunIntoAFolderInUseIsRefusedAndNothingIsWritten()
    {
        string data = RunTestData.Cells(Path.Combine(root, "data"));
        string run = Directory.CreateDirectory(Path.Combine(root, "run")).FullName;
        using (RunLock.Acquire(run))
        {
            var e = Assert.Throws<ConfigurationException>(() => TrainingRun.Run(RunTestData.Tiny(data, run)));
            Assert.Contains($"in use by another process (pid {Environment.ProcessId}", e.Message);
            Assert.Equal([RunLock.FileName], Directory.GetFiles(run).Select(Path.GetFileName));
            Assert.Throws<ConfigurationException>(() => DemoRun.Run(new DemoOptions { OutDirectory = run, Images = 4, Size = 32, Epochs = 1 }));
        }
        Assert.Empty(Directory.GetFiles(run)); // released
    }

    [Fact]
    public void AStaleLockOfADeadProcessIsTakenOverWithAWarning()
    {
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        gone.WaitForExit();
        string folder = Directory.CreateDirectory(Path.Combine(root, "run")).FullName;
        File.WriteAllText(Path.Combine(folder, RunLock.FileName), $"{gone.Id} 638000000000000000\n");
        var warnings = new List<string>();
        using (RunLock.Acquire(folder, warnings.Add))
        {
            Assert.Contains($"pid {Environment.ProcessId}\n", File.ReadAllText(Path.Combine(folder, RunLock.FileName)));
        }
        Assert.Contains($"of process {gone.Id}, which is no longer running", Assert.Single(warnings));
    }
}
