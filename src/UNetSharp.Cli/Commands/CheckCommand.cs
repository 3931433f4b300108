using System.ComponentModel;
using System.Text.Json.Nodes;
using Spectre.Console;
using Spectre.Console.Cli;
using UNetSharp.IO;
using UNetSharp.Pipeline;

namespace UNetSharp.Cli.Commands;

/// <summary>
/// `unetsharp check RUN`: the run-folder verification that resume, predict, export, serve and ensembles run before they
/// read a run folder (<see cref="RunFolderVerifier"/>), with what it checked printed. Exit codes: 0 one consistent run;
/// 2 a disagreement (one `error:` line naming both files and the field) or a folder that cannot be read. Writes nothing.
/// </summary>
public sealed class CheckCommand : Command<CheckCommand.Settings>
{
    public sealed class Settings : CommandSettings
    {
        [CommandArgument(0, "<RUN>"), Description("run folder (or cross-validation folder with fold_* and splits.json) to check")]
        public string Run { get; init; } = "";

        [CommandOption("--data <DIR>"), Description("data set to check the split's case ids against (default: the one config.json names, when it is here)")]
        public string? Data { get; init; }

        [CommandOption("--json"), Description("print one JSON object")]
        public bool Json { get; init; }
    }

    public override int Execute(CommandContext context, Settings settings, CancellationToken cancellationToken)
    {
        var check = RunFolderVerifier.VerifyWithData(settings.Run, settings.Data);
        if (settings.Json)
        {
            var node = new JsonObject { ["run"] = check.Folder, ["ok"] = true, ["checked"] = new JsonArray(check.Checked.Select(c => (JsonNode)c).ToArray()) };
            CliOutput.Out.WriteLine(node.ToJsonString(ProjectJson.Options));
            return 0;
        }
        foreach (string line in check.Checked) AnsiConsole.WriteLine(line);
        AnsiConsole.MarkupLine($"[green]OK[/]: {Markup.Escape(check.Folder)} is one consistent run ({check.Checked.Count} checks)");
        return 0;
    }
}
