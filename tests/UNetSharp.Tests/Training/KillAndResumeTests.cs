using System.Diagnostics;
using UNetSharp.Training;
using UNetSharp.Training.Checkpoints;

namespace UNetSharp.Tests.Training;

/// <summary>
/// A training process killed with SIGKILL mid-run and resumed from its last checkpoint ends with the same weights and loss
/// curve as an uninterrupted run, bitwise. The child is tests/UNetSharp.TrainKillHelper (referenced by this test project
/// so its dll lies next to the tests); it trains <see cref="TrainingScenario"/> with slowed-down batches.
/// </summary>
[Collection(SerialTorchCollection.Name)]
[Trait("Category", "Slow")]
public sealed class KillAndResumeTests : IDisposable
{
    const string HelperDll = "UNetSharp.TrainKillHelper.dll";
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-kill-").FullName;
    readonly int threads = TorchSharp.torch.get_num_threads();

    public void Dispose()
    {
        TorchSharp.torch.set_num_threads(threads);
        Directory.Delete(root, recursive: true);
    }

    [SkippableFact]
    public void AKilledRunResumesToTheUninterruptedResult()
    {
        string helper = Path.Combine(AppContext.BaseDirectory, HelperDll);
        Skip.IfNot(File.Exists(helper), $"{HelperDll} is not next to the tests (reference tests/UNetSharp.TrainKillHelper from the test project)");

        string killed = Path.Combine(root, "killed");
        using (var child = StartChild(helper, killed, batchDelayMs: 100))
        {
            string last = Path.Combine(killed, Trainer.LastCheckpointName);
            var deadline = Stopwatch.StartNew();
            while (!File.Exists(last) && !child.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(60)) Thread.Sleep(10);
            if (child.HasExited) Assert.Fail($"the child ended before it could be killed (exit {child.ExitCode}): {child.StandardError.ReadToEnd()}");
            Assert.True(File.Exists(last), "no checkpoint within 60 s");
            Thread.Sleep(250); // land somewhere inside the next epoch
            child.Kill(entireProcessTree: true); // SIGKILL on Linux: no finally blocks, no flushing
            child.WaitForExit();
        }
        var atKill = CheckpointFile.Read(Path.Combine(killed, Trainer.LastCheckpointName)).State;
        Assert.InRange(atKill.CompletedEpochs, 1, TrainingScenario.Config.Epochs - 1);

        var (train, validation) = TrainingScenario.Data();
        using var resumed = Trainer.Resume(killed, train, HardDiceValidation.Create(validation));
        resumed.Run();

        using var whole = Trainer.Start(TrainingScenario.Network, TrainingScenario.Config, train, Path.Combine(root, "whole"), HardDiceValidation.Create(validation));
        whole.Run();
        Assert.Equal(RunComparison.Curve(whole.State), RunComparison.Curve(resumed.State));
        RunComparison.AssertSameWeights(whole.Model, resumed.Model);
        Assert.Empty(Directory.GetFiles(killed, "*.tmp")); // a write cut by the kill leaves a temp file; resuming removes it
    }

    /// <summary>
    /// The same with a time budget: the child fixes its step count from its own step times and saves it; killed after a
    /// checkpoint that holds the count, the resumed run ends as a run given that count from the start (the timed
    /// validation pass and the pre-decay steps leave no trace), with the poly schedule reaching its floor at the last step.
    /// </summary>
    [SkippableFact]
    public void AKilledTimeBudgetedRunResumesToTheSameFixedCount()
    {
        string helper = Path.Combine(AppContext.BaseDirectory, HelperDll);
        Skip.IfNot(File.Exists(helper), $"{HelperDll} is not next to the tests (reference tests/UNetSharp.TrainKillHelper from the test project)");

        const double budget = 10;
        string killed = Path.Combine(root, "killed-budget");
        using (var child = StartChild(helper, killed, batchDelayMs: 100, budget))
        {
            string last = Path.Combine(killed, Trainer.LastCheckpointName);
            var deadline = Stopwatch.StartNew();
            while (!child.HasExited && deadline.Elapsed < TimeSpan.FromSeconds(90) && !(File.Exists(last) && TryRead(last)?.Training.MaxIterations is not null)) Thread.Sleep(20);
            if (child.HasExited) Assert.Fail($"the child ended before it could be killed (exit {child.ExitCode}): {child.StandardError.ReadToEnd()}");
            Thread.Sleep(250);
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }
        var atKill = CheckpointFile.Read(Path.Combine(killed, Trainer.LastCheckpointName));
        long fixedCount = atKill.Training.MaxIterations!.Value;
        Assert.True(atKill.State.Iteration < fixedCount, $"killed after the end ({atKill.State.Iteration} of {fixedCount} steps)");

        var (train, validation) = TrainingScenario.Data();
        using var resumed = Trainer.Resume(killed, train, HardDiceValidation.Create(validation));
        resumed.Run();
        Assert.Equal(fixedCount, resumed.State.Iteration);

        var config = TrainingScenario.Budgeted(budget) with { MaxIterations = fixedCount };
        using var whole = Trainer.Start(TrainingScenario.Network, config, train, Path.Combine(root, "whole-budget"), HardDiceValidation.Create(validation));
        whole.Run();
        Assert.Equal(RunComparison.Curve(whole.State), RunComparison.Curve(resumed.State));
        RunComparison.AssertSameWeights(whole.Model, resumed.Model);
        Assert.Equal(config.MinLearningRate, resumed.State.History[^1].LearningRate, 12);
    }

    static Checkpoint? TryRead(string path)
    {
        try { return CheckpointFile.Read(path); }
        catch (Exception e) when (e is IOException or UNetSharpException) { return null; }
    }

    static Process StartChild(string helper, string runFolder, int batchDelayMs, double? budgetSeconds = null)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "exec", helper, runFolder, batchDelayMs.ToString(System.Globalization.CultureInfo.InvariantCulture) }) start.ArgumentList.Add(arg);
        if (budgetSeconds is double budget) start.ArgumentList.Add(budget.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Process.Start(start) ?? throw new InvalidOperationException("could not start the helper");
    }
}
