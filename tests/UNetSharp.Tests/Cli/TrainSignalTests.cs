using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text;
using UNetSharp.Pipeline;
using UNetSharp.Tests.Pipeline;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;

namespace UNetSharp.Tests.Cli;

/// <summary>
/// `unetsharp train` as a child process (UNetSharp.Cli.dll lies next to the tests): SIGINT or SIGTERM after the first
/// checkpoint stops it with exit 130 and the resume command; `--resume --out` then ends with the same weights and curve as
/// an uninterrupted run. A second writer into a locked run folder is refused with exit 2.
/// </summary>
[Trait("Category", "Slow")]
public sealed class TrainSignalTests : IDisposable
{
    const int SigInt = 2, SigTerm = 15;
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-signal-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [DllImport("libc", SetLastError = true)]
    static extern int kill(int pid, int signal);

    // 4 epochs of 30 steps: after the first checkpoint 90 steps remain, so a test thread descheduled for a while on a
    // loaded machine still signals a running child (with 3 x 20 the child sometimes finished first under load 30)
    string[] Train(string data, string run) =>
        ["train", "--data", data, "--out", run, "--depth", "2", "--widths", "4,8,16", "--patch", "64x64", "--batch", "4", "--epochs", "4",
         "--batches-per-epoch", "30", "--threads", "1", "--augment", "none", "--seed", "3"];

    [SkippableFact]
    public void SigintAndSigtermStopWithExit130AndTheRunResumesToTheUninterruptedResult()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "POSIX signals");
        string data = RunTestData.Cells(Path.Combine(root, "data"), images: 8, size: 64);
        var whole = Cli(Train(data, Path.Combine(root, "whole")));
        Assert.True(whole.Code == 0, whole.Output);

        foreach (var (signal, name) in new[] { (SigInt, "sigint"), (SigTerm, "sigterm") })
        {
            string run = Path.Combine(root, name);
            var stopped = Cli(Train(data, run), signalAfterFirstCheckpoint: signal, runFolder: run);
            Assert.True(stopped.Code == 130, $"{name}: exit {stopped.Code}\n{stopped.Output}");
            var state = CheckpointFile.Read(Path.Combine(run, Trainer.LastCheckpointName)).State;
            Assert.InRange(state.CompletedEpochs, 1, 3);
            Assert.Contains($"stopped at epoch {state.CompletedEpochs + (state.Partial is null ? 0 : 1)} (step {state.Iteration}); resume with: unetsharp train --resume --out {run}", stopped.Output);
            Assert.False(File.Exists(Path.Combine(run, RunLock.FileName)), "the lock is released on the way out");

            var resumed = Cli(["train", "--resume", "--out", run]);
            Assert.True(resumed.Code == 0, resumed.Output);
            Assert.Equal(RunTestData.Curve(Path.Combine(root, "whole")), RunTestData.Curve(run));
            Assert.Equal(CheckpointFile.Read(Path.Combine(root, "whole", Trainer.LastCheckpointName)).Weights,
                CheckpointFile.Read(Path.Combine(run, Trainer.LastCheckpointName)).Weights);
        }
    }

    [SkippableFact]
    public void ASecondWriterIntoALockedRunFolderExitsWith2()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "process ids of a live process");
        string data = RunTestData.Cells(Path.Combine(root, "data"));
        string run = Directory.CreateDirectory(Path.Combine(root, "run")).FullName;
        using (RunLock.Acquire(run)) // this test process plays the first writer
        {
            var second = Cli(Train(data, run));
            Assert.Equal(2, second.Code);
            Assert.Contains($"error: {run} is in use by another process (pid {Environment.ProcessId}", second.Output);
        }
        Assert.Empty(Directory.GetFileSystemEntries(run));
    }

    static (int Code, string Output) Cli(string[] args, int? signalAfterFirstCheckpoint = null, string? runFolder = null)
    {
        string cli = Path.Combine(AppContext.BaseDirectory, "UNetSharp.Cli.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(cli);
        foreach (var a in args) start.ArgumentList.Add(a);
        var output = new StringBuilder();
        using var child = Process.Start(start)!;
        child.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        child.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        if (signalAfterFirstCheckpoint is int signal)
        {
            string last = Path.Combine(runFolder!, Trainer.LastCheckpointName);
            var clock = Stopwatch.StartNew();
            while (!File.Exists(last) && !child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(10);
            if (child.HasExited) Assert.Fail($"the child ended before the signal (exit {child.ExitCode}):\n{output}");
            Thread.Sleep(300); // inside the next epoch
            Assert.Equal(0, kill(child.Id, signal));
        }
        if (!child.WaitForExit(TimeSpan.FromMinutes(5))) { child.Kill(true); Assert.Fail($"the child did not end:\n{output}"); }
        child.WaitForExit(); // flush the output events
        lock (output) return (child.ExitCode, output.ToString());
    }
}
