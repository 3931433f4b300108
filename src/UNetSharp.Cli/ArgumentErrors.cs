using System.Reflection;
using System.Text.RegularExpressions;
using Spectre.Console.Cli;

namespace UNetSharp.Cli;

/// <summary>
/// Spectre's parse and conversion errors rewritten as one line that names the flag the user typed:
/// "unknown option '--epoch'; did you mean '--epochs'?" and "--lr: 'abc' is not a number" instead of
/// "Failed to convert 'abc' to Nullable`1".
/// </summary>
public static partial class ArgumentErrors
{
    [GeneratedRegex(@"^Unknown option '(?<name>.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex UnknownOption();

    [GeneratedRegex(@"^Unknown command '(?<name>.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex UnknownCommand();

    [GeneratedRegex(@"^Failed to convert '(?<value>.*)' to (?<type>.*?)\.?$", RegexOptions.Singleline)]
    private static partial Regex ConversionFailed();

    public static string Explain(CommandAppException e, string[] args)
    {
        string message = e.Message;
        var command = CommandOf(args);
        if (UnknownOption().Match(message) is { Success: true } unknown)
        {
            string typed = Typed(unknown.Groups["name"].Value, args);
            string? near = command is null ? null : Nearest(typed, OptionNames(command.Value.Settings));
            return $"unknown option '{typed}'" + (command is null ? "" : $" for '{command.Value.Path}'") + (near is null ? "" : $"; did you mean '{near}'?");
        }
        if (UnknownCommand().Match(message) is { Success: true } unknownCommand)
        {
            string typed = unknownCommand.Groups["name"].Value;
            var names = CliApp.Commands.Select(c => c.Path.Split(' ')[^1]).Concat(CliApp.Branches).Distinct();
            string? near = Nearest(typed, names);
            return $"unknown command '{typed}'" + (near is null ? "" : $"; did you mean '{near}'?") + $" (see {CliApp.Name} --help)";
        }
        if (ConversionFailed().Match(message) is { Success: true } conversion)
        {
            string value = conversion.Groups["value"].Value;
            var option = command is null ? null : OptionTakingValue(command.Value.Settings, value, args);
            if (option is not null) return $"{option.Value.Flag}: '{value}' is not {Expected(option.Value.Type)}";
            return $"'{value}' is not a valid value ({message.TrimEnd('.')})";
        }
        return message.TrimEnd('.');
    }

    /// <summary>The command the arguments name ("bench predict"), if any.</summary>
    public static (string Path, Type Settings)? CommandOf(string[] args)
    {
        var words = args.TakeWhile(a => !a.StartsWith('-')).Take(2).ToArray();
        foreach (var c in CliApp.Commands.OrderByDescending(c => c.Path.Length))
        {
            var path = c.Path.Split(' ');
            if (words.Length >= path.Length && path.SequenceEqual(words[..path.Length], StringComparer.OrdinalIgnoreCase)) return c;
        }
        return null;
    }

    /// <summary>Every flag of a settings type, long and short, with dashes.</summary>
    public static IEnumerable<string> OptionNames(Type settings) =>
        Options(settings).SelectMany(o => o.Attribute.LongNames.Select(n => "--" + n).Concat(o.Attribute.ShortNames.Select(n => "-" + n)));

    public static IEnumerable<(CommandOptionAttribute Attribute, PropertyInfo Property)> Options(Type settings) =>
        settings.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Select(p => (Attribute: p.GetCustomAttribute<CommandOptionAttribute>(), Property: p))
            .Where(o => o.Attribute is not null)
            .Select(o => (o.Attribute!, o.Property));

    /// <summary>The closest candidate within a small edit distance (a typo, a missing or extra letter), or one that the
    /// typed text is a prefix of.</summary>
    public static string? Nearest(string typed, IEnumerable<string> candidates)
    {
        string bare = typed.TrimStart('-');
        var scored = candidates
            .Select(c => (Name: c, Distance: Distance(bare, c.TrimStart('-')), Prefix: bare.Length >= 3 && c.TrimStart('-').StartsWith(bare, StringComparison.OrdinalIgnoreCase)))
            .OrderBy(c => c.Distance).ThenBy(c => c.Name, StringComparer.Ordinal).ToList();
        var best = scored.FirstOrDefault(c => c.Distance <= Math.Clamp(bare.Length / 3, 1, 3) || (bare.Length >= 4 && c.Distance <= 2));
        if (best.Name is not null) return best.Name;
        return scored.FirstOrDefault(c => c.Prefix).Name;
    }

    /// <summary>Levenshtein distance, ignoring case (did-you-mean for flags, commands and config keys).</summary>
    internal static int Distance(string a, string b) =>
        UNetSharp.Settings.SettingKeys.Distance(a.ToLowerInvariant(), b.ToLowerInvariant());

    /// <summary>The option as typed ("--epoch", "-x"), found among the arguments; else rebuilt from Spectre's name.</summary>
    static string Typed(string name, string[] args)
    {
        foreach (string a in args)
        {
            string flag = a.Split('=', ':')[0];
            if (flag.TrimStart('-') == name && flag.StartsWith('-')) return flag;
        }
        return (name.Length == 1 ? "-" : "--") + name;
    }

    /// <summary>The flag whose value in the arguments is <paramref name="value"/> ("--lr abc" or "--lr=abc").</summary>
    static (string Flag, Type Type)? OptionTakingValue(Type settings, string value, string[] args)
    {
        var byName = new Dictionary<string, (string, Type)>(StringComparer.OrdinalIgnoreCase);
        foreach (var (attribute, property) in Options(settings))
            foreach (string n in attribute.LongNames.Select(n => "--" + n).Concat(attribute.ShortNames.Select(n => "-" + n)))
                byName[n] = (n, property.PropertyType);
        for (int i = 0; i < args.Length; i++)
        {
            int split = args[i].IndexOfAny(['=', ':']);
            if (split > 0 && args[i][(split + 1)..] == value && byName.TryGetValue(args[i][..split], out var inline)) return inline;
            if (i + 1 < args.Length && args[i + 1] == value && byName.TryGetValue(args[i], out var separate)) return separate;
        }
        return null;
    }

    static string Expected(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(int) => "a whole number",
        var t when t == typeof(long) => "a whole number",
        var t when t == typeof(double) || t == typeof(float) => "a number (e.g. 0.5 or 1e-3)",
        var t when t == typeof(bool) => "true or false",
        var t => $"a valid {t.Name}",
    };
}
