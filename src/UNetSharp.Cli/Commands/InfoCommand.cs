using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Models;

namespace UNetSharp.Cli.Commands;

/// <summary>`unetsharp info`: parameters and GFLOPs per pruned depth, as a table or one JSON object.</summary>
public sealed class InfoCommand : Command<InfoCommand.Settings>
{
    public sealed class Settings : NetworkSettings
    {
        [CommandOption("--size <SIZE>"), Description("input size for GFLOPs, one size or one per axis, e.g. 512 or 512x512 (default 512 in 2D, 128 in 3D)")]
        public string? Size { get; init; }

        [CommandOption("--json"), Description("print one JSON object")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var config = settings.ToConfig();
        var size = NetworkSettings.ParseSize(settings.Size ?? (config.Dimensions == 2 ? "512" : "128"), config.Dimensions);
        var summary = ModelSummary.Of(config, size);
        if (settings.Json)
        {
            CliOutput.Out.WriteLine(summary.ToJson());
            return 0;
        }
        var table = new Table().Title($"{summary.Architecture} {summary.Dimensions}D, in {summary.InChannels}, classes {summary.Classes}, widths {string.Join(",", summary.Widths)}, input {string.Join("x", size)}");
        table.AddColumns("depth", "nodes", "parameters", "GFLOPs (forward)", "CGM parameters");
        foreach (var key in summary.Params.Keys)
            table.AddRow(key, summary.Nodes[key].ToString("N0"), summary.Params[key].ToString("N0"), summary.Gflops[key].ToString("F2"), summary.CgmParams[key].ToString("N0"));
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"configured network (deep supervision {(config.DeepSupervision ? "on" : "off")}, CGM {(config.Cgm ? "on" : "off")}): [bold]{summary.ParamsTotal:N0}[/] trainable parameters");
        return 0;
    }
}
