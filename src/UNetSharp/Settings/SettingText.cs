using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using UNetSharp.IO;

namespace UNetSharp.Settings;

/// <summary>
/// A setting's value from text, as a config file or a command line writes it ("6GiB", "1h30m", "48x64x48", "bce-dice",
/// "1,1,5"). Errors are one line naming the setting as <c>name</c> ("--epochs" or "'epochs'").
/// </summary>
public static partial class SettingText
{
    /// <summary>Largest size per axis of a patch (a 2^20-voxel axis is already far beyond any scanner).</summary>
    public const long MaxSize = 1 << 20;

    /// <summary>The value of <paramref name="setting"/> in <paramref name="text"/>, as the JSON config.json stores it.</summary>
    /// <param name="dimensions">For a patch given as one size: how many axes it repeats over (null: one per value given).</param>
    public static JsonNode Parse(SettingKey setting, string text, string name, int? dimensions = null)
    {
        var type = Nullable.GetUnderlyingType(setting.Type) ?? setting.Type;
        if (setting.Text == SettingTextKind.Bytes) return JsonValue.Create(Bytes(text, name));
        if (setting.Text == SettingTextKind.Duration) return JsonValue.Create(Duration(text, name));
        if (setting.Text == SettingTextKind.DepthRule) return JsonValue.Create(DepthRule.Parse(text, name).ToString());
        if (type == typeof(FoldSelection)) return FoldSelection.Parse(text, name).IsAll ? JsonValue.Create(FoldSelection.AllText) : JsonValue.Create(FoldSelection.Parse(text, name).Index);
        if (setting.Text == SettingTextKind.Size) return new JsonArray(Size(text, dimensions, name).Select(v => (JsonNode)JsonValue.Create(v)).ToArray());
        if (type == typeof(string)) return JsonValue.Create(text);
        if (type.IsEnum) return JsonValue.Create(EnumName(type, text, name));
        if (type == typeof(bool)) return JsonValue.Create(Number(text, name, bool.Parse));
        if (type == typeof(int)) return JsonValue.Create(Number(text, name, t => int.Parse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)));
        if (type == typeof(long)) return JsonValue.Create(Number(text, name, t => long.Parse(t, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)));
        if (type == typeof(double)) return JsonValue.Create(Number(text, name, t => double.Parse(t, NumberStyles.Float, CultureInfo.InvariantCulture)));
        if (type == typeof(IReadOnlyList<int>)) return Array(Integers(text, name));
        if (type == typeof(IReadOnlyList<double>)) return Array(PositiveNumbers(text, name));
        if (type == typeof(IReadOnlyList<string>)) return Array(CaseIds(text, name));
        throw new InvalidOperationException($"setting '{setting.Key}' has a type ({type.Name}) no text reader knows");
    }

    static JsonArray Array<T>(IEnumerable<T> values) => new(values.Select(v => (JsonNode)JsonValue.Create(v)!).ToArray());

    static T Number<T>(string text, string name, Func<string, T> parse)
    {
        try { return parse(text.Trim()); }
        catch (FormatException) { throw new ConfigurationException($"{name} has an invalid value '{text}'"); }
        catch (OverflowException) { throw new ConfigurationException($"{name} is out of range: '{text}'"); }
    }

    /// <summary>An enum by its JSON name; '-' and '_' are the same, case does not matter.</summary>
    static string EnumName(Type type, string text, string name)
    {
        var names = Enum.GetValues(type).Cast<object>().Select(v => JsonSerializer.Serialize(v, type, ProjectJson.Options).Trim('"')).ToList();
        string wanted = text.Trim().Replace('-', '_').ToLowerInvariant();
        if (wanted == "unet#") wanted = "unetsharp"; // the augmentation preset is named after the architecture
        if (names.Contains(wanted)) return wanted;
        var choices = names.Select(n => n.Replace('_', '-')).ToList();
        throw new ConfigurationException($"{name} must be {string.Join(", ", choices.SkipLast(1))} or {choices[^1]}, got '{text}'");
    }

    /// <summary>The snake_case name an enum value is written with in JSON and logs ("ce_dice", "msd").</summary>
    public static string Of<T>(T value) where T : struct, Enum => JsonSerializer.Serialize(value, ProjectJson.Options).Trim('"');

    public static int[] Integers(string text, string name)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length == 0 || !parts.All(p => int.TryParse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)))
            throw new ConfigurationException($"{name} must be a comma-separated list of whole numbers, got '{text}'");
        return parts.Select(p => int.Parse(p, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture)).ToArray();
    }

    /// <summary>"1,1,5": positive finite numbers.</summary>
    public static double[] PositiveNumbers(string text, string name)
    {
        var parts = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var values = parts.Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : double.NaN).ToArray();
        if (values.Length == 0 || values.Any(v => !(v > 0) || !double.IsFinite(v)))
            throw new ConfigurationException($"{name} must be a comma-separated list of positive numbers, got '{text}'");
        return values;
    }

    /// <summary>"a,b,c" as case ids (spaces around commas dropped); an empty list is refused.</summary>
    public static string[] CaseIds(string text, string name)
    {
        var ids = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return ids.Length > 0 ? ids : throw new ConfigurationException($"{name} must list at least one case id, got '{text}'");
    }

    /// <summary>"512" (every axis) or "48x64x48" / "48,64,48" (one per axis).</summary>
    public static long[] Size(string text, int? dimensions, string name)
    {
        var parts = text.Split('x', ',');
        int axes = dimensions ?? parts.Length;
        if (!parts.All(p => long.TryParse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long v) && v is > 0 and <= MaxSize)
            || (parts.Length != 1 && parts.Length != axes))
            throw new ConfigurationException($"{name} must be one size or {axes} separated by 'x', each 1..{MaxSize}, got '{text}'");
        var values = parts.Select(p => long.Parse(p.Trim(), CultureInfo.InvariantCulture)).ToArray();
        return values.Length == 1 ? Enumerable.Repeat(values[0], axes).ToArray() : values;
    }

    /// <summary>Seconds from "45m", "1h30m", "1.5h", "90s" or a plain number of seconds.</summary>
    public static double Duration(string text, string name)
    {
        string t = text.Trim().ToLowerInvariant();
        if (double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out double plain))
            return plain > 0 && double.IsFinite(plain) ? plain : throw new ConfigurationException($"{name} must be a positive duration, got '{text}'");
        var parts = DurationPart().Matches(t);
        if (parts.Count == 0 || string.Concat(parts.Select(p => p.Value)).Replace(" ", "") != t.Replace(" ", ""))
            throw new ConfigurationException($"{name} must be a duration such as 45m, 1h30m, 90s or a number of seconds, got '{text}'");
        double seconds = parts.Sum(p => double.Parse(p.Groups[1].Value, CultureInfo.InvariantCulture) * p.Groups[2].Value switch { "h" => 3600, "m" => 60, _ => 1 });
        return seconds > 0 ? seconds : throw new ConfigurationException($"{name} must be a positive duration, got '{text}'");
    }

    /// <summary>
    /// Bytes from "6GiB", "512 MiB", "4GB", "1.5GiB", "300KB", "1024B" or a plain number of bytes (binary units KiB/MiB/GiB/TiB
    /// = 2^10.., decimal KB/MB/GB/TB = 10^3..; case-insensitive); a positive whole number of bytes.
    /// </summary>
    public static long Bytes(string text, string name)
    {
        var match = ByteSize().Match(text.Trim());
        double factor = match.Success ? match.Groups["u"].Value.ToLowerInvariant() switch
        {
            "" or "b" => 1,
            "kib" => 1L << 10, "mib" => 1L << 20, "gib" => 1L << 30, "tib" => 1L << 40,
            "kb" => 1e3, "mb" => 1e6, "gb" => 1e9, "tb" => 1e12,
            _ => 0,
        } : 0;
        if (factor == 0)
            throw new ConfigurationException($"{name} must be a memory size such as 6GiB, 512MiB, 4GB or a number of bytes, got '{text}'");
        double bytes = double.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture) * factor;
        if (!(bytes >= 1) || bytes > long.MaxValue / 2 || bytes != Math.Floor(bytes))
            throw new ConfigurationException($"{name} must be a positive whole number of bytes below 4 EiB, got '{text}'");
        return (long)bytes;
    }

    [GeneratedRegex(@"(\d+(?:\.\d+)?)\s*(h|m|s)")] private static partial Regex DurationPart();
    [GeneratedRegex(@"^(?<n>\d+(?:\.\d+)?)\s*(?<u>[a-zA-Z]*)$")] private static partial Regex ByteSize();
}
