using UNetSharp.Cli;
using UNetSharp.Cli.Commands;

namespace UNetSharp.Tests.Experiments;

/// <summary>exp.yaml parsing: keys, merging of shared and per-data-set settings, and one-line errors naming the key.</summary>
public sealed class ExperimentConfigFileTests : IDisposable
{
    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-expcfg-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    string Write(string yaml)
    {
        Directory.CreateDirectory(Path.Combine(dir, "data"));
        string path = Path.Combine(dir, "exp.yaml");
        File.WriteAllText(path, yaml.Replace("DATA", Path.Combine(dir, "data")).Replace("OUT", Path.Combine(dir, "out")));
        return path;
    }

    const string Valid = """
        out: OUT
        architectures: [unet, unet#]
        seeds: [1, 2]
        iterations: 40
        threads: 1
        settings: { lr: 0.003, widths: [4, 8, 16], batch: 2 }
        datasets:
          - name: isbi
            data: DATA
            settings: { widths: "8,16,32", patch: 64x64 }
          - { name: dsb, data: DATA, paper_protocol: true }
        """;

    [Fact]
    public void AValidFileGivesEachDataSetTheSharedSettingsUnderItsOwn()
    {
        var spec = ExperimentConfigFile.Load(Write(Valid));
        Assert.Equal(["unet", "unet#"], spec.Architectures);
        Assert.Equal([1L, 2L], spec.Seeds);
        Assert.Equal((40L, 1), (spec.Iterations, spec.Threads));
        var isbi = spec.Datasets[0].Settings;
        Assert.Equal([8, 16, 32], isbi.Network.Widths);                   // its own wins
        Assert.Equal([64, 64], isbi.Plan.PatchSize);
        Assert.Equal((0.003, 2), (isbi.Optimisation.LearningRate, isbi.Plan.BatchSize!.Value)); // shared
        Assert.Equal([4, 8, 16], spec.Datasets[1].Settings.Network.Widths);
        Assert.True(spec.Datasets[1].PaperProtocol);
        var run = spec.SettingsFor(spec.Datasets[1], "unet#", 2);
        Assert.Equal(("unet#", 2L, 40L), (run.Network.Architecture, run.Optimisation.Seed, run.Optimisation.Iterations!.Value));
        Assert.EndsWith(Path.Combine("runs", "dsb", "unetsharp", "seed2"), run.Out);
        Assert.Equal(spec.Datasets[1].Settings.Dataset.DataSeed, run.Dataset.DataSeed);  // one split for every seed
    }

    [Fact]
    public void AWallClockBudgetReplacesTheStepBudgetAndBothAreRefused()
    {
        var spec = ExperimentConfigFile.Load(Write(Valid.Replace("iterations: 40", "time_budget: 10m")));
        Assert.Equal((null, 600.0), (spec.Iterations, spec.TimeBudgetSeconds));
        var run = spec.SettingsFor(spec.Datasets[0], "unet", 1);
        Assert.Equal((null, 600.0), (run.Optimisation.Iterations, run.Optimisation.TimeBudget));
        Assert.StartsWith("a wall-clock budget of 600 s", spec.BudgetText);

        var both = ExperimentConfigFile.Load(Write(Valid.Replace("iterations: 40", "iterations: 40\ntime_budget: 10m")));
        Assert.Contains("one budget", Assert.Throws<ConfigurationException>(both.Validate).Message);
    }

    [Theory]
    [InlineData("seed: [1]", "unknown key 'seed'; did you mean 'seeds'?")]
    [InlineData("settings: { lrr: 0.1 }", "unknown key 'settings.lrr'; did you mean 'lr'?")]
    [InlineData("settings: { arch: unet }", "'settings.arch' is set by the experiment: use 'architectures'")]
    [InlineData("iterations: many", "'iterations' has an invalid value 'many'")]
    public void ErrorsNameTheKey(string line, string message)
    {
        string yaml = line.StartsWith("settings") ? Valid.Replace("settings: { lr: 0.003, widths: [4, 8, 16], batch: 2 }", line)
            : line.StartsWith("iterations") ? Valid.Replace("iterations: 40", line)
            : Valid.Replace("threads: 1", line);
        var e = Assert.Throws<DataFormatException>(() => ExperimentConfigFile.Load(Write(yaml)));
        Assert.Contains(message, e.Message);
        Assert.StartsWith(Path.Combine(dir, "exp.yaml"), e.Message);
    }

    [Fact]
    public void TheCommandRefusesABadFileWithOneLineAndExitTwoWritingNothing()
    {
        string path = Write(Valid.Replace("architectures: [unet, unet#]", "architectures: [unet, unet#, unet4]"));
        var stderr = new StringWriter();
        int code = CliApp.Run(["experiment", "--config", path], new StringWriter(), stderr);
        Assert.Equal(2, code);
        Assert.Equal("error: 'architectures': unknown architecture 'unet4'; choose from unet, unet++, unet3+, unet#", stderr.ToString().Trim());
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
    }
}
