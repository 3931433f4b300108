using System.ComponentModel;
using Spectre.Console.Cli;
using UNetSharp.Models;

namespace UNetSharp.Cli.Commands;

/// <summary>The options that describe a network, shared by info, train and bench.</summary>
public class NetworkSettings : CommandSettings
{
    [CommandOption("--arch <ARCH>"), Description("unet | unet++ | unet3+ | unet# (default unet#)")]
    public string Architecture { get; init; } = "unet#";

    [CommandOption("--dims <DIMS>"), Description("2 or 3 spatial dimensions (default 2)")]
    public int Dimensions { get; init; } = 2;

    [CommandOption("--in-channels <N>"), Description("input channels (default 1)")]
    public int InChannels { get; init; } = 1;

    [CommandOption("--classes <C>"), Description("output classes: 1 = binary, C >= 2 = multi-class with background (default 1)")]
    public int Classes { get; init; } = 1;

    [CommandOption("--depth <L>"), Description("number of down-samplings (default 4)")]
    public int Depth { get; init; } = 4;

    [CommandOption("--widths <LIST>"), Description("channels per level, e.g. 32,64,128,256,512 (default 32·2^i)")]
    public string? Widths { get; init; }

    [CommandOption("--norm <KIND>"), Description("batch | instance (default batch)")]
    public string Norm { get; init; } = "batch";

    [CommandOption("--deep-supervision"), Description("add every deep-supervision head (needed to prune)")]
    public bool DeepSupervision { get; init; }

    [CommandOption("--cgm"), Description("add the two classification-guided modules")]
    public bool Cgm { get; init; }

    public NetworkConfig ToConfig(bool deepSupervision)
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
            DeepSupervision = deepSupervision,
            Cgm = Cgm,
        };
        config.Validate();
        return config;
    }

    /// <summary>"512" (every axis) or "512x256" (one per axis).</summary>
    public static long[] ParseSize(string text, int dimensions)
    {
        var parts = text.Split('x', ',');
        if (!parts.All(p => long.TryParse(p, out long v) && v > 0) || (parts.Length != 1 && parts.Length != dimensions))
            throw new ConfigurationException($"--size must be one positive number or {dimensions} separated by 'x', got '{text}'");
        var values = parts.Select(long.Parse).ToArray();
        return values.Length == 1 ? Enumerable.Repeat(values[0], dimensions).ToArray() : values;
    }

    public static int[] ParseList(string text, string option)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !parts.All(p => int.TryParse(p, out _)))
            throw new ConfigurationException($"{option} must be a comma-separated list of integers, got '{text}'");
        return parts.Select(int.Parse).ToArray();
    }
}
