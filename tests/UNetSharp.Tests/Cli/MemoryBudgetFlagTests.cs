using UNetSharp.Cli;
using UNetSharp.Cli.Commands;
using UNetSharp.Pipeline;
using UNetSharp.Settings;

namespace UNetSharp.Tests.Cli;

/// <summary>`train --memory-budget`: units, one-line errors naming the flag (exit 2), and the setting kept in config.json.</summary>
public sealed class MemoryBudgetFlagTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-budget-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Theory]
    [InlineData("6GiB", 6L << 30)]
    [InlineData("6gib", 6L << 30)]
    [InlineData("512 MiB", 512L << 20)]
    [InlineData("1.5GiB", 3L << 29)]
    [InlineData("300KiB", 300L << 10)]
    [InlineData("4GB", 4_000_000_000L)]
    [InlineData("250MB", 250_000_000L)]
    [InlineData("2KB", 2000L)]
    [InlineData("1024B", 1024L)]
    [InlineData("1073741824", 1L << 30)]
    public void MemorySizesParseInBinaryAndDecimalUnits(string text, long bytes) =>
        Assert.Equal(bytes, FlagChecks.ParseBytes(text, "--memory-budget"));

    [Theory]
    [InlineData("6XB")]
    [InlineData("-1GiB")]
    [InlineData("0")]
    [InlineData("0.5B")]
    [InlineData("GiB")]
    [InlineData("")]
    [InlineData("1e9")]
    [InlineData("99999999999TiB")]
    public void BadMemorySizesAreOneLineErrorsNamingTheFlag(string text)
    {
        var e = Assert.Throws<ConfigurationException>(() => FlagChecks.ParseBytes(text, "--memory-budget"));
        Assert.StartsWith("--memory-budget must be ", e.Message);
        Assert.DoesNotContain("\n", e.Message);
    }

    [Fact]
    public void TrainRefusesABadBudgetWithExitTwoBeforeWritingAnything()
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        string run = Path.Combine(dir, "run");
        Assert.Equal(CliApp.BadInput, CliApp.Run(["train", "--data", dir, "--out", run, "--memory-budget", "6XB"], stdout, stderr));
        Assert.StartsWith("error: --memory-budget must be a memory size", stderr.ToString());
        Assert.False(Directory.Exists(run));
    }

    [Fact]
    public void TheBudgetComesFromTheFlagOrTheConfigFileAndIsKeptInConfigJson()
    {
        var options = TrainCommand.Resolve(new TrainCommand.Settings { Data = dir, Out = "x", MemoryBudget = "6GiB" });
        Assert.Equal(6L << 30, options.Plan.MemoryBudget);
        var configuration = options.Settings;
        Assert.Contains("\"memory_budget\": 6442450944", RunSettingsFile.ToJson(configuration));
        Assert.Equal(6L << 30, new TrainRunOptions { Settings = configuration }.Plan.MemoryBudget);

        string path = Path.Combine(dir, "c.yaml");
        File.WriteAllText(path, $"data: {dir}\nout: x\nmemory_budget: 512MiB\n");
        Assert.Equal(512L << 20, TrainCommand.Resolve(new TrainCommand.Settings { Config = path }).Plan.MemoryBudget);
        // config.json stores bytes, which read back as the same setting
        File.WriteAllText(path, $"data: {dir}\nout: x\nmemory_budget: {1L << 30}\n");
        Assert.Equal(1L << 30, TrainCommand.Resolve(new TrainCommand.Settings { Config = path }).Plan.MemoryBudget);
        Assert.Null(TrainCommand.Resolve(new TrainCommand.Settings { Data = dir, Out = "x" }).Plan.MemoryBudget);
    }
}
