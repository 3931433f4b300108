using System.Text.Json;
using System.Text.RegularExpressions;
using UNetSharp.Cli;
using UNetSharp.Models;

namespace UNetSharp.Tests.Cli;

/// <summary>The whole command tree in-process: help for every command, --version, strict parsing, one-line errors that
/// name the flag, and the README's exit-code table.</summary>
public sealed class CliAppTests : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-cli-").FullName;
    readonly StringWriter stdout = new(), stderr = new();

    public void Dispose() => Directory.Delete(root, recursive: true);

    string Dir(string name) => Path.Combine(root, name);

    int Cli(params string[] args) => CliApp.Run(args, stdout, stderr);

    public static TheoryData<string> HelpTargets()
    {
        var data = new TheoryData<string> { "" };
        foreach (string branch in CliApp.Branches) data.Add(branch);
        foreach (var (path, _) in CliApp.Commands) data.Add(path);
        return data;
    }

    [Theory]
    [MemberData(nameof(HelpTargets))]
    public void HelpWorksForEveryCommandAndBranch(string target)
    {
        var args = target.Split(' ', StringSplitOptions.RemoveEmptyEntries).Append("--help").ToArray();
        Assert.Equal(CliApp.Success, Cli(args));
        Assert.Contains("USAGE", stdout.ToString());
        Assert.Equal("", stderr.ToString());
    }

    [Fact]
    public void EveryOptionOfEveryCommandHasADescriptionAndEveryCommandAnExample()
    {
        foreach (var (path, settings) in CliApp.Commands)
        {
            foreach (var (attribute, property) in ArgumentErrors.Options(settings).Where(o => !o.Attribute.IsHidden))
            {
                var description = property.GetCustomAttributes(typeof(System.ComponentModel.DescriptionAttribute), true)
                    .Cast<System.ComponentModel.DescriptionAttribute>().SingleOrDefault();
                Assert.False(string.IsNullOrWhiteSpace(description?.Description), $"{path} --{attribute.LongNames[0]} has no description");
            }
            stdout.GetStringBuilder().Clear();
            Assert.Equal(0, Cli([.. path.Split(' '), "--help"]));
            Assert.Contains($"unetsharp {path} ", stdout.ToString().Split("EXAMPLES:")[1]);
        }
    }

    [Fact]
    public void VersionIsTheAssemblyVersion()
    {
        Assert.Equal(0, Cli("--version"));
        Assert.Matches(@"^unetsharp \d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$", stdout.ToString().Trim());
        Assert.Equal($"unetsharp {CliApp.Version}", stdout.ToString().Trim());
    }

    [Theory]
    [InlineData("train --epoch 1 --data x --out y", "error: unknown option '--epoch' for 'train'; did you mean '--epochs'?")]
    [InlineData("info --archh unet++", "error: unknown option '--archh' for 'info'; did you mean '--arch'?")]
    [InlineData("bench predict --dpeths 1", "error: unknown option '--dpeths' for 'bench predict'; did you mean '--depths'?")]
    [InlineData("trian --data x", "error: unknown command 'trian'; did you mean 'train'? (see unetsharp --help)")]
    [InlineData("train --lr abc", "error: --lr: 'abc' is not a number (e.g. 0.5 or 1e-3)")]
    [InlineData("info --depth=2.5", "error: --depth: '2.5' is not a whole number")]
    [InlineData("train --lr Infinity", "error: --lr must be a positive finite number, got Infinity")]
    [InlineData("train --lr NaN", "error: --lr must be a positive finite number, got NaN")]
    [InlineData("train --val-fraction 1.5", "error: --val-fraction must be in (0, 1), got 1.5")]
    [InlineData("train --max-cases 0", "error: --max-cases must be at least 2, got 0")]
    [InlineData("train --binary-foreground 7", "error: --binary-foreground must be 0 or 255, got 7")]
    [InlineData("bench predict --depths 1,9", "error: depths must each be between 1 and 4 (the benchmarked networks' depth), got 1,9")]
    [InlineData("bench loader --workers 8", "error: --workers must be 1 or 2, got 8")]
    [InlineData("info --no-cgm --cgm", "error: --cgm and --no-cgm contradict each other")]
    [InlineData("bench model -- --repeats 0", "error: unexpected arguments '--repeats' '0': no unetsharp command takes arguments after '--'")]
    public void BadArgumentsGiveOneLineNamingTheFlagAndExitTwo(string line, string expected)
    {
        Assert.Equal(CliApp.BadInput, Cli(line.Split(' ')));
        Assert.Equal(expected, stderr.ToString().TrimEnd());
    }

    [Fact]
    public void ResumeOfAMissingRunNamesTheRunFolder()
    {
        Directory.CreateDirectory(Dir("data"));
        Assert.Equal(CliApp.BadInput, Cli("train", "--resume", "--data", Dir("data"), "--out", Dir("runs/missing")));
        Assert.Equal($"error: --resume: there is no run folder at --out {Dir("runs/missing")}", stderr.ToString().TrimEnd());
        Assert.False(Directory.Exists(Dir("runs")));
    }

    [Fact]
    public void TrainPatchErrorsNamePatch()
    {
        Directory.CreateDirectory(Dir("data"));
        Assert.Equal(CliApp.BadInput, Cli("train", "--data", Dir("data"), "--out", Dir("run"), "--patch", "0x16"));
        Assert.StartsWith("error: --patch must be", stderr.ToString());
        Assert.False(Directory.Exists(Dir("run")));
    }

    [Fact]
    public void AbsurdWidthsAreRefusedBeforeAnythingIsAllocated()
    {
        long before = GC.GetTotalAllocatedBytes();
        Assert.Equal(CliApp.BadInput, Cli("info", "--widths", "100000,200000,400000", "--depth", "2"));
        Assert.True(GC.GetTotalAllocatedBytes() - before < 100_000_000);
        Assert.Matches(@"^error: widths 100000,200000,400000 give at least [\d,]+ parameters", stderr.ToString());
    }

    [Fact]
    public void InfoDescribesTheNetworkTrainBuildsUnlessToldOtherwise()
    {
        Assert.Equal(0, Cli("info", "--widths", "4,8,16", "--depth", "2", "--size", "32", "--json"));
        using var full = JsonDocument.Parse(stdout.ToString());
        stdout.GetStringBuilder().Clear();
        Assert.Equal(0, Cli("info", "--widths", "4,8,16", "--depth", "2", "--size", "32", "--json", "--no-cgm", "--no-deep-supervision"));
        using var bare = JsonDocument.Parse(stdout.ToString());

        static long Total(JsonDocument d) => d.RootElement.GetProperty("params_total").GetInt64();
        var config = new NetworkConfig { Architecture = "unet#", Dimensions = 2, Depth = 2, Widths = [4, 8, 16], Norm = NormKind.Batch };
        using var withHeads = new SegmentationNetwork(config with { Cgm = true, DeepSupervision = true });
        using var without = new SegmentationNetwork(config with { Cgm = false, DeepSupervision = false });
        Assert.Equal(NetworkCost.TotalParameters(withHeads), Total(full));
        Assert.Equal(NetworkCost.TotalParameters(without), Total(bare));
        Assert.True(Total(full) > Total(bare));
    }

    [Theory]
    [InlineData("demo", "--size", "60")]
    [InlineData("demo", "--epochs", "0")]
    [InlineData("demo", "--images", "1")]
    public void DemoRefusesBadSettingsBeforeWritingAnything(params string[] args)
    {
        Assert.Equal(CliApp.BadInput, Cli([.. args, "--out", Dir("demo")]));
        Assert.StartsWith("error: ", stderr.ToString());
        Assert.False(Directory.Exists(Dir("demo")));
    }

    [Theory]
    [InlineData("evaluate", "--pred", "{in}", "--ref", "{in}", "--out", "{blocked}")]
    [InlineData("demo", "--out", "{blocked}")]
    [InlineData("train", "--data", "{in}", "--out", "{blocked}")]
    [InlineData("export", "--model", "{in}", "--out", "{blocked}")]
    [InlineData("bench", "model", "--out", "{blocked}")]
    public void AnOutputBlockedByAFileExitsTwoNamingOut(params string[] template)
    {
        Directory.CreateDirectory(Dir("in"));
        File.WriteAllText(Dir("file"), "x");
        var args = template.Select(a => a.Replace("{in}", Dir("in")).Replace("{blocked}", Path.Combine(Dir("file"), "sub"))).ToArray();
        Assert.Equal(CliApp.BadInput, Cli(args));
        Assert.StartsWith("error: --out ", stderr.ToString());
        Assert.Equal("x", File.ReadAllText(Dir("file")));
    }

    [Fact]
    public void ReadmeDocumentsTheExitCodesTheCliUses()
    {
        string readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var section = Regex.Match(readme, @"## Exit codes\s*\n(?<body>.*?)(\n## |\z)", RegexOptions.Singleline);
        Assert.True(section.Success, "README has no 'Exit codes' section");
        var codes = Regex.Matches(section.Groups["body"].Value, @"^\|\s*`?(\d+)`?\s*\|", RegexOptions.Multiline).Select(m => int.Parse(m.Groups[1].Value)).ToArray();
        Assert.Equal(new[] { CliApp.Success, CliApp.EnvironmentFailure, CliApp.BadInput, CliApp.Partial, CliApp.Interrupted }, codes);
    }

    static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "UNetSharp.slnx"))) return d.FullName;
        throw new DirectoryNotFoundException("repository root (UNetSharp.slnx) not found above the test binaries");
    }
}
