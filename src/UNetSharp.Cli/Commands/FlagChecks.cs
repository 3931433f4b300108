using System.Globalization;
using Spectre.Console;
using Spectre.Console.Cli;

namespace UNetSharp.Cli.Commands;

/// <summary>One-line checks of single flag values for the commands' Validate(): each names the flag and the range.
/// Null means "not given" and passes; the first failure is reported.</summary>
public static class FlagChecks
{
    public static ValidationResult First(params ValidationResult[] checks) => checks.FirstOrDefault(c => !c.Successful) ?? ValidationResult.Success();

    public static ValidationResult AtLeast(string flag, long? value, long least) =>
        value is { } v && v < least ? Error(flag, $"must be at least {least}", v) : ValidationResult.Success();

    public static ValidationResult OneOf(string flag, int? value, params int[] allowed) =>
        value is { } v && !allowed.Contains(v) ? Error(flag, $"must be {string.Join(" or ", allowed)}", v) : ValidationResult.Success();

    public static ValidationResult Positive(string flag, double? value) =>
        value is { } v && !(double.IsFinite(v) && v > 0) ? Error(flag, "must be a positive finite number", v) : ValidationResult.Success();

    public static ValidationResult NonNegative(string flag, double? value) =>
        value is { } v && !(double.IsFinite(v) && v >= 0) ? Error(flag, "must be a finite number, 0 or more", v) : ValidationResult.Success();

    /// <summary>In the open interval (0, 1).</summary>
    public static ValidationResult OpenUnit(string flag, double? value) =>
        value is { } v && !(v > 0 && v < 1) ? Error(flag, "must be in (0, 1)", v) : ValidationResult.Success();

    /// <summary>In [0, 1).</summary>
    public static ValidationResult UnitFromZero(string flag, double? value) =>
        value is { } v && !(v >= 0 && v < 1) ? Error(flag, "must be in [0, 1)", v) : ValidationResult.Success();

    /// <summary>A memory size: <see cref="ParseBytes"/> accepts it.</summary>
    public static ValidationResult Bytes(string flag, string? value)
    {
        if (value is null) return ValidationResult.Success();
        try { ParseBytes(value, flag); return ValidationResult.Success(); }
        catch (ConfigurationException e) { return ValidationResult.Error(e.Message); }
    }

    /// <summary>
    /// Bytes from "6GiB", "512 MiB", "4GB", "1.5GiB", "300KB", "1024B" or a plain number of bytes (binary units KiB/MiB/GiB/TiB
    /// = 2^10.., decimal KB/MB/GB/TB = 10^3..; case-insensitive); a positive whole number of bytes. One-line error naming the flag.
    /// </summary>
    public static long ParseBytes(string text, string flag) => UNetSharp.Settings.SettingText.Bytes(text, flag);

    /// <summary>A folder to create or fill: it and every existing parent must be folders, not files, and it must be
    /// writable (<see cref="UNetSharp.IO.PathGuard.WhyNotWritable"/>): refused now rather than after the work.</summary>
    public static ValidationResult Folder(string flag, string? path) => path is null ? ValidationResult.Success()
        : path.Length == 0 ? ValidationResult.Error($"{flag} is empty")
        : BlockingFile(Path.GetFullPath(path)) is { } file ? ValidationResult.Error($"{flag} {path}: {file} is a file, not a folder")
        : UNetSharp.IO.PathGuard.WhyNotWritable(path) is { } why ? ValidationResult.Error($"{flag} {path} cannot be written: {why}")
        : ValidationResult.Success();

    /// <summary>A file to write: not an existing folder, no parent is a file, and its folder is writable.</summary>
    public static ValidationResult File(string flag, string? path) => path is null ? ValidationResult.Success()
        : path.Length == 0 ? ValidationResult.Error($"{flag} is empty")
        : Directory.Exists(path) ? ValidationResult.Error($"{flag} {path} is a folder; name a file")
        : Path.GetDirectoryName(Path.GetFullPath(path)) is { } parent && BlockingFile(parent) is { } file ? ValidationResult.Error($"{flag} {path}: {file} is a file, not a folder")
        : UNetSharp.IO.PathGuard.WhyNotWritable(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".") is { } why ? ValidationResult.Error($"{flag} {path} cannot be written: {why}")
        : ValidationResult.Success();

    /// <summary>The path itself or the nearest existing parent when that is a file.</summary>
    static string? BlockingFile(string path)
    {
        for (string? p = path; !string.IsNullOrEmpty(p); p = Path.GetDirectoryName(p))
        {
            if (Directory.Exists(p)) return null;
            if (System.IO.File.Exists(p)) return p;
        }
        return null;
    }

    static ValidationResult Error(string flag, string rule, IConvertible value) =>
        ValidationResult.Error($"{flag} {rule}, got {value.ToString(CultureInfo.InvariantCulture)}");
}
