using Spectre.Console;

namespace UNetSharp.Cli;

/// <summary>
/// Output written to a file (Slurm, CI, `> log`) has no terminal width; Spectre then assumes 80 columns and hard-wraps
/// table cells and help examples mid-word, mid-flag. There, lines are as long as their content instead (a log viewer
/// wraps softly); an explicit <c>COLUMNS</c> is honoured as a user's choice.
/// </summary>
static class RedirectedWidth
{
    /// <summary>Wide enough for any table or help line the commands print; Spectre sizes tables to their content.</summary>
    public const int Width = 1000;

    public static void Apply(IAnsiConsole console)
    {
        if (Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("COLUMNS")))
            console.Profile.Width = Width;
    }
}
