using System.ComponentModel;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.Data.Layouts;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// `unetsharp data check`: loads every case once and reports shapes, spacings, classes, intensities and problems.
/// Exit codes: 0 no problem; 3 problems found (listed); 2 bad arguments or a folder that cannot be opened.
/// </summary>
public sealed class DataCheckCommand : Command<DataCheckCommand.Settings>
{
    public const int ProblemsFound = 3;

    public sealed class Settings : CommandSettings
    {
        [CommandOption("--data <DIR>"), Description("data set folder: MSD/nnU-Net imagesTr + labelsTr, images/ + labels/, or DSB 2018 (required)")]
        public string? Data { get; init; }

        [CommandOption("--json"), Description("print one JSON object")]
        public bool Json { get; init; }

        [CommandOption("--layout <KIND>"), Description("auto | paired | dsb | msd"), DefaultValue("auto")]
        public string Layout { get; init; } = "auto";

        [CommandOption("--binary-foreground <V>"), Description("in label images holding only 0 and 255, the value that is class 1: 255 or 0"), DefaultValue(255)]
        public int BinaryForeground { get; init; } = 255;

        [CommandOption("--gray"), Description("convert colour images to one gray channel (default: keep RGB)")]
        public bool Gray { get; init; }

        public override ValidationResult Validate() => FlagChecks.OneOf("--binary-foreground", BinaryForeground, 0, 255);
    }

    public static DatasetLayoutKind ParseLayout(string text) => text.ToLowerInvariant() switch
    {
        "auto" => DatasetLayoutKind.Auto,
        "paired" => DatasetLayoutKind.PairedFolders,
        "dsb" => DatasetLayoutKind.Dsb2018,
        "msd" => DatasetLayoutKind.Msd,
        _ => throw new ConfigurationException($"--layout must be auto, paired, dsb or msd, got '{text}'"),
    };

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        string data = settings.Data ?? throw new ConfigurationException("--data <DIR> is required");
        var options = new LayoutOptions { Kind = ParseLayout(settings.Layout), BinaryForeground = settings.BinaryForeground, Gray = settings.Gray };
        var summary = DatasetCheck.Run(data, options);
        if (settings.Json)
            CliOutput.Out.WriteLine(summary.ToJson());
        else
        {
            AnsiConsole.WriteLine(summary.ToText().TrimEnd());
            AnsiConsole.MarkupLine(summary.Ok ? "[green]OK[/]" : $"[red]{summary.Problems.Count} problem(s)[/]");
        }
        return summary.Ok ? 0 : ProblemsFound;
    }
}
