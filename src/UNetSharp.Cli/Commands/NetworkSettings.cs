using System.ComponentModel;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Models;

namespace UNetSharp.Cli.Commands;

/// <summary>The options that describe a network, shared by info, train and bench.</summary>
public class NetworkSettings : CommandSettings
{
    [CommandOption("--arch <ARCH>"), Description("unet | unet++ | unet3+ | unet#"), DefaultValue("unet#")]
    public string Architecture { get; init; } = "unet#";

    [CommandOption("--dims <DIMS>"), Description("2 or 3 spatial dimensions"), DefaultValue(2)]
    public int Dimensions { get; init; } = 2;

    [CommandOption("--in-channels <N>"), Description("input channels"), DefaultValue(1)]
    public int InChannels { get; init; } = 1;

    [CommandOption("--classes <C>"), Description("output classes: 1 = binary, C >= 2 = multi-class with background"), DefaultValue(1)]
    public int Classes { get; init; } = 1;

    [CommandOption("--depth <L>"), Description("number of down-samplings, 1..8"), DefaultValue(4)]
    public int Depth { get; init; } = 4;

    [CommandOption("--widths <LIST>"), Description("channels per level, depth + 1 values (default 32,64,...: 32·2^level)")]
    public string? Widths { get; init; }

    [CommandOption("--norm <KIND>"), Description("batch | instance"), DefaultValue("batch")]
    public string Norm { get; init; } = "batch";

    [CommandOption("--no-deep-supervision"), Description("leave out the deep-supervision heads (the network as train builds it has them; pruned depths are counted either way)")]
    public bool NoDeepSupervision { get; init; }

    [CommandOption("--no-cgm"), Description("leave out the two classification-guided modules (train builds them by default)")]
    public bool NoCgm { get; init; }

    /// <summary>Old spellings from when info described a network without heads or CGMs by default; now the default.</summary>
    [CommandOption("--deep-supervision", IsHidden = true)]
    public bool DeepSupervision { get; init; }

    [CommandOption("--cgm", IsHidden = true)]
    public bool Cgm { get; init; }

    public override ValidationResult Validate() =>
        DeepSupervision && NoDeepSupervision ? ValidationResult.Error("--deep-supervision and --no-deep-supervision contradict each other")
        : Cgm && NoCgm ? ValidationResult.Error("--cgm and --no-cgm contradict each other")
        : FlagChecks.First(FlagChecks.OneOf("--dims", Dimensions, 2, 3), FlagChecks.AtLeast("--in-channels", InChannels, 1),
            FlagChecks.AtLeast("--classes", Classes, 1), FlagChecks.AtLeast("--depth", Depth, 1));

    public NetworkConfig ToConfig()
    {
        var config = new NetworkConfig
        {
            Architecture = Architecture, Dimensions = Dimensions, InChannels = InChannels, Classes = Classes, Depth = Depth,
            Widths = Widths is null ? NetworkConfig.DefaultWidths(Depth) : ParseList(Widths, "--widths"),
            Norm = Norm.ToLowerInvariant() switch
            {
                "batch" => NormKind.Batch,
                "instance" => NormKind.Instance,
                _ => throw new ConfigurationException($"--norm must be batch or instance, got '{Norm}'"),
            },
            DeepSupervision = !NoDeepSupervision,
            Cgm = !NoCgm,
        };
        config.Validate();
        return config;
    }

    /// <summary>"512" (every axis) or "512x256" (one per axis); <paramref name="option"/> names the flag in errors.</summary>
    public static long[] ParseSize(string text, int dimensions, string option = "--size") => UNetSharp.Settings.SettingText.Size(text, dimensions, option);

    /// <summary>Largest size per axis accepted from a flag (a 2^20-voxel axis is already far beyond any scanner).</summary>
    public const long MaxSize = UNetSharp.Settings.SettingText.MaxSize;

    public static int[] ParseList(string text, string option) => UNetSharp.Settings.SettingText.Integers(text, option);

    /// <summary>"1,1,5": positive finite numbers; <paramref name="option"/> names the flag in errors.</summary>
    public static double[] ParseNumbers(string text, string option) => UNetSharp.Settings.SettingText.PositiveNumbers(text, option);
}
