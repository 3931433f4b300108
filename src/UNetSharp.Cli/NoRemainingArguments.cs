using Spectre.Console.Cli;

namespace UNetSharp.Cli;

/// <summary>No command takes free arguments: anything after "--" (which Spectre would set aside unparsed, silently
/// dropping e.g. "-- --epochs 1") is refused before the command runs.</summary>
sealed class NoRemainingArguments : ICommandInterceptor
{
    public void Intercept(CommandContext context, CommandSettings settings)
    {
        var raw = context.Remaining.Raw;
        if (raw.Count > 0)
            throw new ConfigurationException($"unexpected argument{(raw.Count > 1 ? "s" : "")} {string.Join(" ", raw.Select(a => $"'{a}'"))}: no {CliApp.Name} command takes arguments after '--'");
    }
}
