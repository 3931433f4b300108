using Spectre.Console;

namespace UNetSharp.Cli;

/// <summary>
/// Output written to a file (Slurm, CI, `> log`) has no terminal width; Spectre then assumes 80 columns and hard-wraps
/// table cells and help examples mid-word, mid-flag. There, lines are as long as their content instead (a log viewer
/// wraps softly); an explicit <c>COLUMNS</c> sets the width instead (Spectre itself ignores it once output is redirected).
/// </summary>
static class RedirectedWidth
{
    /// <summary>Wide enough for any table or help line the commands print; Spectre sizes tables to their content.</summary>
    public const int Width = 1000;

    public static void Apply(IAnsiConsole console)
    {
        if (!Console.IsOutputRedirected) return;
        console.Profile.Width = int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out int columns) && columns > 0 ? columns : Width;
    }
}
