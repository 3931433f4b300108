using System.Diagnostics;
using System.Text;
using UNetSharp.Prediction;
using UNetSharp.IO;
using UNetSharp.Tests.Inference.Jobs;
using UNetSharp.Tests.Models;

namespace UNetSharp.Tests.Deploy;

/// <summary>Sharded batch prediction: the shard spec and the scheduler environment, shards that together write exactly
/// the unsharded outputs (in process, and as parallel processes), and a shard killed with -9 completed by a rerun.</summary>
[Collection(UNetSharp.Tests.Training.SerialTorchCollection.Name)]
public sealed class ShardedPredictionTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-shards-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    [Theory]
    [InlineData("0/1", 0, 1)]
    [InlineData("2/3", 2, 3)]
    [InlineData("0/4", 0, 4)]
    public void AShardSpecIsAZeroBasedIndexBelowTheCount(string text, int index, int count)
    {
        var shard = PredictionShard.Parse(text);
        Assert.Equal((index, count), (shard.Index, shard.Count));
        Assert.Equal(text, shard.ToString());
    }

    [Theory]
    [InlineData("3/2")]
    [InlineData("2/2")]
    [InlineData("0/0")]
    [InlineData("-1/2")]
    [InlineData("1/2/3")]
    [InlineData("a/b")]
    [InlineData("1")]
    [InlineData(" 1/2")]
    [InlineData("")]
    public void AnythingElseIsRefused(string text) =>
        Assert.StartsWith($"shard '{text}':", Assert.Throws<ConfigurationException>(() => PredictionShard.Parse(text)).Message);

    [Fact]
    public void TheShardComesFromASlurmArrayOrAKubernetesIndexedJob()
    {
        PredictionShard From(params (string Name, string Value)[] variables) =>
            PredictionShard.FromEnvironment(name => variables.FirstOrDefault(v => v.Name == name).Value);

        // sbatch --array=1-4: ids 1..4, min 1 → shards 0..3 of 4
        Assert.Equal(new PredictionShard(2, 4), From(("SLURM_ARRAY_TASK_ID", "3"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "1")));
        Assert.Equal(new PredictionShard(0, 3), From(("SLURM_ARRAY_TASK_ID", "0"), ("SLURM_ARRAY_TASK_COUNT", "3")));
        // --array=10-20:5 → ids 10, 15, 20
        Assert.Equal(new PredictionShard(1, 3), From(("SLURM_ARRAY_TASK_ID", "15"), ("SLURM_ARRAY_TASK_COUNT", "3"), ("SLURM_ARRAY_TASK_MIN", "10"), ("SLURM_ARRAY_TASK_STEP", "5")));
        Assert.Equal(new PredictionShard(4, 5), From(("JOB_COMPLETION_INDEX", "4"), ("UNETSHARP_SHARD_COUNT", "5")));

        Assert.Contains("UNETSHARP_SHARD_COUNT is not", Assert.Throws<ConfigurationException>(() => From(("JOB_COMPLETION_INDEX", "1"))).Message);
        Assert.Contains("must be below the count", Assert.Throws<ConfigurationException>(() => From(("JOB_COMPLETION_INDEX", "5"), ("UNETSHARP_SHARD_COUNT", "5"))).Message);
        Assert.Contains("must be below the count", Assert.Throws<ConfigurationException>(() =>
            From(("SLURM_ARRAY_TASK_ID", "5"), ("SLURM_ARRAY_TASK_COUNT", "4"), ("SLURM_ARRAY_TASK_MIN", "1"))).Message);
        Assert.Contains("not a non-negative whole number", Assert.Throws<ConfigurationException>(() => From(("SLURM_ARRAY_TASK_ID", "x"), ("SLURM_ARRAY_TASK_COUNT", "4"))).Message);
        Assert.Contains("neither a Slurm array", Assert.Throws<ConfigurationException>(() => From()).Message);
    }

    /// <summary>A sharpened tiny 2D run and <paramref name="count"/> PNG inputs of <paramref name="size"/>².</summary>
    (string Run, string Inputs) Batch(int count, int size)
    {
        string run = PredictionTestFiles.RunFolder(Dir("run"), TinyNets.Config(dims: 2, depth: 2, cgm: true), [16, 16], adjust: DeployNets.Sharpen);
        string inDir = Directory.CreateDirectory(Dir("in")).FullName;
        for (int k = 0; k < count; k++) PredictionTestFiles.WritePng(Path.Combine(inDir, $"img{k:D2}.png"), size, size + 4 * k, seed: k);
        return (run, inDir);
    }

    static Dictionary<string, byte[]> Outputs(string dir) => Directory.GetFiles(dir, "*", SearchOption.AllDirectories)
        .Where(f => !Path.GetFileName(f).StartsWith("predict-summary", StringComparison.Ordinal) && Path.GetFileName(f) != OutputLedger.FileName)
        .ToDictionary(f => Path.GetRelativePath(dir, f), File.ReadAllBytes);

    static void AssertSameOutputs(Dictionary<string, byte[]> expected, Dictionary<string, byte[]> actual)
    {
        Assert.Equal(expected.Keys.Order(), actual.Keys.Order());
        foreach (var (name, bytes) in expected) Assert.True(bytes.AsSpan().SequenceEqual(actual[name]), $"{name} differs");
    }

    [Fact]
    public void ThreeShardsWriteExactlyTheUnshardedOutputsAndSkipExistingSkipsCompleteInputs()
    {
        var (run, inputs) = Batch(count: 7, size: 20);
        PredictionJobOptions Options(string outDir, PredictionShard? shard = null, bool skip = false) =>
            new() { Model = run, Input = inputs, OutputDir = Dir(outDir), Probabilities = true, Shard = shard, SkipExisting = skip };
        PredictionJob.Run(Options("all"));
        var counts = Enumerable.Range(0, 3).Select(k => PredictionJob.Run(Options("sharded", new PredictionShard(k, 3))).Files.Count).ToList();

        Assert.Equal([3, 2, 2], counts);   // round-robin over the 7 sorted inputs
        AssertSameOutputs(Outputs(Dir("all")), Outputs(Dir("sharded")));
        Assert.True(File.Exists(Path.Combine(Dir("sharded"), "predict-summary-shard-1-of-3.json")));

        // everything there: a rerun skips every input and rewrites nothing but its summary
        File.Delete(Path.Combine(Dir("sharded"), "img03_prob1.png"));   // img03 incomplete: predicted again
        var rerun = PredictionJob.Run(Options("sharded", skip: true));
        Assert.Equal(6, rerun.Skipped);
        Assert.Equal("img03.png", Path.GetFileName(Assert.Single(rerun.Files, f => f.Succeeded).Input));
        AssertSameOutputs(Outputs(Dir("all")), Outputs(Dir("sharded")));
    }

    [Fact]
    [Trait("Category", "Slow")]
    public void ThreeShardsAsParallelProcessesGiveTheUnshardedBytesAndAKilledShardIsCompletedBySkipExisting()
    {
        var (run, inputs) = Batch(count: 9, size: 96);
        string[] Args(string outDir, params string[] more) => ["predict", "--model", run, "--input", inputs, "--out", Dir(outDir), "--tta", "--threads", "1", .. more];
        var (code, output) = Cli(Args("all")).Wait();
        Assert.True(code == 0, output);

        var shards = Enumerable.Range(0, 3).Select(k => Cli(Args("sharded", "--shard", $"{k}/3"))).ToList();
        foreach (var shard in shards)
        {
            var (c, o) = shard.Wait();
            Assert.True(c == 0, o);
        }
        AssertSameOutputs(Outputs(Dir("all")), Outputs(Dir("sharded")));

        // kill -9 once the first output is there, mid-batch
        var killed = Cli(Args("killed", "--shard", "0/1"));
        var clock = Stopwatch.StartNew();
        while (!File.Exists(Path.Combine(Dir("killed"), "img00.png")) && !killed.Process.HasExited && clock.Elapsed < TimeSpan.FromMinutes(3)) Thread.Sleep(5);
        Assert.False(killed.Process.HasExited, "the child finished before it could be killed");
        killed.Process.Kill();   // SIGKILL
        killed.Wait();
        var partial = Outputs(Dir("killed")).Where(o => !o.Key.EndsWith(".tmp", StringComparison.Ordinal)).ToDictionary();
        Assert.InRange(partial.Count, 1, 8);
        var reference = Outputs(Dir("all"));
        foreach (var (name, bytes) in partial) Assert.True(bytes.AsSpan().SequenceEqual(reference[name]), $"{name} is half-written");

        var (rerunCode, rerunOutput) = Cli(Args("killed", "--shard", "0/1", "--skip-existing")).Wait();
        Assert.True(rerunCode == 0, rerunOutput);
        Assert.Contains("skipped (outputs exist)", rerunOutput);
        AssertSameOutputs(reference, Outputs(Dir("killed")));   // complete, and no temporary file left
    }

    sealed record Child(Process Process, StringBuilder Output)
    {
        public (int Code, string Output) Wait()
        {
            if (!Process.WaitForExit(TimeSpan.FromMinutes(5))) { Process.Kill(true); Assert.Fail($"the child did not end:\n{Output}"); }
            Process.WaitForExit();
            lock (Output) return (Process.ExitCode, Output.ToString());
        }
    }

    static Child Cli(string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        start.ArgumentList.Add("exec");
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "UNetSharp.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        var output = new StringBuilder();
        var child = Process.Start(start)!;
        child.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        child.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        return new Child(child, output);
    }
}
