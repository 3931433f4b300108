using System.Text.Json.Nodes;
using UNetSharp.Cli.Commands;
using UNetSharp.Pipeline;
using UNetSharp.Settings;

namespace UNetSharp.Tests.Pipeline;

/// <summary>The depth rule on hand-made per-depth numbers: each rule picks the depth its definition names, and its text round-trips.</summary>
public sealed class DepthRuleTests
{
    /// <summary>Dice rises with depth; L3 measured faster than L2 (timing noise does that), L4 is the slowest.</summary>
    static readonly DepthMeasurement[] Depths =
    [
        new(1, 0.900, 0.004),
        new(2, 0.930, 0.006),
        new(3, 0.934, 0.005),
        new(4, 0.936, 0.012),
    ];

    [Theory]
    [InlineData("accuracy", 4)]              // the best Dice
    [InlineData("tolerance:0.005", 3)]       // smallest depth >= 0.931: L2's 0.930 misses by 0.001
    [InlineData("tolerance:0.01", 2)]        // smallest depth >= 0.926
    [InlineData("tolerance:0", 4)]
    [InlineData("0.01", 2)]                  // a bare number is a tolerance (the former depth_tolerance)
    [InlineData("fastest-within:0.01", 3)]   // L2, L3, L4 qualify; L3 measured fastest
    [InlineData("fastest-within:0.05", 1)]   // every depth qualifies; L1 is fastest
    [InlineData("latency:5ms", 3)]           // L1 (4 ms) and L3 (5 ms) fit; L3 is more accurate
    [InlineData("latency:4.5ms", 1)]
    [InlineData("latency:0.02s", 4)]         // everything fits: the most accurate
    [InlineData("latency:1ms", 1)]           // nothing fits: the fastest
    public void EachRulePicksTheDepthItsDefinitionNames(string rule, int expected) =>
        Assert.Equal(expected, DepthRule.Parse(rule, "--depth-rule").Choose(Depths));

    [Fact]
    public void TiesGoToTheShallowerDepthAndDepthsWithoutADiceNeverCountAsBest()
    {
        DepthMeasurement[] tied = [new(1, 0.8, 0.001), new(2, 0.9, 0.002), new(3, 0.9, 0.003)];
        Assert.Equal(2, DepthRule.Parse("accuracy", "r").Choose(tied));
        DepthMeasurement[] undefined = [new(1, double.NaN, 0.001), new(2, 0.5, 0.002), new(3, 0.6, 0.003)];
        Assert.Equal(2, DepthRule.Parse("tolerance:0.2", "r").Choose(undefined)); // L1 has no Dice: never chosen by the margin rules
        Assert.Equal(2, DepthRule.Parse("latency:2ms", "r").Choose(undefined));
        DepthMeasurement[] none = [new(1, double.NaN, 0.001), new(2, double.NaN, 0.002)];
        Assert.Equal(2, DepthRule.Parse("tolerance:0.5", "r").Choose(none)); // nothing to compare: the full depth
    }

    [Theory]
    [InlineData("accuracy", "accuracy")]
    [InlineData(" Tolerance:0.005 ", "tolerance:0.005")]
    [InlineData("0.02", "tolerance:0.02")]
    [InlineData("fastest_within:0.01", "fastest-within:0.01")]
    [InlineData("latency:12ms", "latency:12ms")]
    [InlineData("latency:0.5s", "latency:500ms")]
    [InlineData("latency:7", "latency:7ms")]
    public void TheTextIsReadAndWrittenCanonically(string text, string canonical)
    {
        var rule = DepthRule.Parse(text, "--depth-rule");
        Assert.Equal(canonical, rule.ToString());
        Assert.Equal(rule, DepthRule.Parse(rule.ToString(), "--depth-rule"));
    }

    [Theory]
    [InlineData("fastest")]
    [InlineData("accuracy:0.1")]
    [InlineData("tolerance:1.5")]
    [InlineData("tolerance:")]
    [InlineData("fastest-within:-0.1")]
    [InlineData("latency:-3ms")]
    [InlineData("latency:fast")]
    [InlineData("")]
    public void ABadRuleIsOneLineNamingTheFlag(string text)
    {
        var e = Assert.Throws<ConfigurationException>(() => DepthRule.Parse(text, "--depth-rule"));
        Assert.StartsWith("--depth-rule must be accuracy, tolerance:D", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    /// <summary>The settings `train` resolves from these flags (over the defaults), for an empty data folder.</summary>
    static RunSettings Resolved(string? depthRule = null, double? depthTolerance = null, string? fold = null)
    {
        string dir = Directory.CreateTempSubdirectory("unetsharp-flags-").FullName;
        var flags = new TrainCommand.Settings { Data = dir, Out = Path.Combine(dir, "run"), DepthRule = depthRule, DepthTolerance = depthTolerance, Fold = fold };
        try { return TrainCommand.Resolve(flags).Settings; }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void TheSettingIsTheRuleAndTheFormerToleranceKeyAndFlagSetIt()
    {
        Assert.Equal(DepthRule.DefaultText, RunSettings.Default.Validation.DepthRule);
        var flags = Resolved(depthRule: "latency:0.5s");
        Assert.Equal("latency:500ms", flags.Validation.DepthRule); // stored canonically
        var alias = Resolved(depthTolerance: 0.02);
        Assert.Equal("tolerance:0.02", alias.Validation.DepthRule);
        var e = Assert.Throws<ConfigurationException>(() => Resolved(depthRule: "quick"));
        Assert.StartsWith("--depth-rule must be", e.Message);
        Assert.False(new TrainCommand.Settings { DepthRule = "accuracy", DepthTolerance = 0.01 }.Validate().Successful); // two sources: refused
    }

    [Fact]
    public void AConfigJsonWrittenWithDepthToleranceLoadsAsTheToleranceRule()
    {
        string dir = Directory.CreateTempSubdirectory("unetsharp-depthrule-").FullName;
        try
        {
            var node = JsonNode.Parse(RunSettingsFile.ToJson(RunSettings.Default with { Data = "d", Out = dir }))!.AsObject();
            var validation = node["validation"]!.AsObject();
            validation.Remove("depth_rule");
            validation.Remove("postprocessing");
            validation["depth_tolerance"] = 0.03; // config.json as the last release wrote it
            File.WriteAllText(Path.Combine(dir, "config.json"), node.ToJsonString());
            var loaded = RunSettingsFile.Load(dir);
            Assert.Equal("tolerance:0.03", loaded.Validation.DepthRule);
            Assert.True(loaded.Validation.Postprocessing);
            // and a config file (YAML) with the old key
            string yaml = Path.Combine(dir, "old.yaml");
            File.WriteAllText(yaml, "depth_tolerance: 0.04\n");
            Assert.Equal("tolerance:0.04", SettingValues.Load(yaml).ApplyTo(RunSettings.Default).Validation.DepthRule);
        }
        finally { Directory.Delete(dir, recursive: true); }
    }

    [Fact]
    public void FoldAllIsASettingWrittenAsAllAndAFoldNumberStaysANumber()
    {
        var all = Resolved(fold: "all");
        Assert.True(all.Validation.AllFold());
        Assert.Null(all.Validation.FoldIndex());
        Assert.Contains("\"fold\": \"all\"", RunSettingsFile.ToJson(all));
        var one = Resolved(fold: "1");
        Assert.Equal(1, one.Validation.FoldIndex());
        Assert.Contains("\"fold\": 1", RunSettingsFile.ToJson(one)); // as config.json held it before 'all' existed
        Assert.StartsWith("--fold must be a fold number (0-based) or 'all'", Assert.Throws<ConfigurationException>(() =>
            Resolved(fold: "every")).Message);
        Assert.False(new TrainCommand.Settings { Fold = "-1" }.Validate().Successful);
        Assert.False(new TrainCommand.Settings { Fold = "2", Folds = 2 }.Validate().Successful);
        Assert.True(new TrainCommand.Settings { Fold = "all", Folds = 2 }.Validate().Successful);
    }
}
