namespace UNetSharp.IO;

/// <summary>
/// Keeps outputs away from what a command reads: every check compares REAL paths (absolute, symbolic links resolved
/// component by component as realpath(3) does, <c>..</c> applied after the link it follows, trailing separators and
/// <c>.</c> dropped; case-insensitive where the file system usually is). A string comparison would let a symlink to
/// the input folder, or <c>out/../in</c>, replace the inputs.
/// </summary>
public static class PathGuard
{
    /// <summary>Links followed before a path is declared a loop (Linux's own limit is 40).</summary>
    const int MaxLinks = 40;

    static StringComparison Comparison => OperatingSystem.IsLinux() ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <summary>Compares real paths as the file system does (case-insensitive off Linux).</summary>
    public static StringComparer PathComparer => OperatingSystem.IsLinux() ? StringComparer.Ordinal : StringComparer.OrdinalIgnoreCase;

    /// <summary>The real path of <paramref name="path"/>; the part that does not exist yet is kept as written (normalised).</summary>
    public static string RealPath(string path)
    {
        if (string.IsNullOrWhiteSpace(path)) throw new ConfigurationException("empty path");
        if (path.Contains('\0')) throw new ConfigurationException($"path '{path.Replace("\0", "\\0")}' holds a NUL character");
        string absolute = Path.IsPathRooted(path) ? path : Path.Combine(Directory.GetCurrentDirectory(), path);
        string current = Path.GetPathRoot(absolute)!;
        var pending = new Stack<string>();
        Push(pending, absolute[current.Length..]);
        int links = 0;
        while (pending.Count > 0)
        {
            string part = pending.Pop();
            if (part == ".") continue;
            if (part == "..") { current = Path.GetDirectoryName(current) ?? current; continue; }
            string next = Path.Combine(current, part);
            string? target = LinkTarget(next);
            if (target is null) { current = next; continue; }
            if (++links > MaxLinks) throw new ConfigurationException($"{path}: too many levels of symbolic links");
            // the target replaces the link: relative targets start from the link's folder
            if (Path.IsPathRooted(target)) current = Path.GetPathRoot(target)!;
            Push(pending, Path.IsPathRooted(target) ? target[Path.GetPathRoot(target)!.Length..] : target);
        }
        return Path.TrimEndingDirectorySeparator(current);
    }

    static void Push(Stack<string> pending, string relative)
    {
        var parts = relative.Split([Path.DirectorySeparatorChar, Path.AltDirectorySeparatorChar], StringSplitOptions.RemoveEmptyEntries);
        for (int i = parts.Length - 1; i >= 0; i--) pending.Push(parts[i]);
    }

    static string? LinkTarget(string path)
    {
        try { return new FileInfo(path).LinkTarget; }
        catch (IOException) { return null; }
        catch (UnauthorizedAccessException) { return null; }
    }

    public static bool SamePath(string a, string b) => string.Equals(RealPath(a), RealPath(b), Comparison);

    /// <summary>True when <paramref name="path"/> is <paramref name="folder"/> or lies anywhere below it.</summary>
    public static bool IsSameOrInside(string path, string folder)
    {
        string p = RealPath(path), f = RealPath(folder);
        if (string.Equals(p, f, Comparison)) return true;
        string prefix = f.EndsWith(Path.DirectorySeparatorChar) ? f : f + Path.DirectorySeparatorChar;
        return p.StartsWith(prefix, Comparison);
    }

    /// <summary>
    /// Refuses an output folder that is the protected folder, lies inside it, or contains it: outputs would replace,
    /// mix with or (for commands that clean their own folder) endanger what the command reads.
    /// </summary>
    public static void RefuseOverlap(string output, string outputSetting, string protectedPath, string protectedSetting)
    {
        string o = RealPath(output), p = RealPath(protectedPath);
        string Resolved(string given, string real) => string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(given)), real, Comparison) ? "" : $" (really {real})";
        string what = $"{outputSetting} {output}{Resolved(output, o)}";
        string other = $"{protectedSetting} {protectedPath}{Resolved(protectedPath, p)}";
        if (string.Equals(o, p, Comparison)) throw new ConfigurationException($"{what} is the same folder as {other}: outputs would overwrite what is read");
        if (IsSameOrInside(o, p)) throw new ConfigurationException($"{what} lies inside {other}: outputs would mix with what is read");
        if (IsSameOrInside(p, o)) throw new ConfigurationException($"{what} contains {other}: choose an output folder outside it");
    }

    /// <summary>An output folder: absent (it will be created) or a folder; an existing file there is the user's, not ours.</summary>
    public static void RequireFolderOrAbsent(string output, string setting)
    {
        if (string.IsNullOrWhiteSpace(output)) throw new ConfigurationException($"{setting} is empty");
        string real = RealPath(output);
        if (File.Exists(real)) throw new ConfigurationException($"{setting} {output} is an existing file, not a folder; it is left alone");
        // a parent that is a file makes the folder impossible to create: say so now rather than fail half-way
        for (string? up = Path.GetDirectoryName(real); !string.IsNullOrEmpty(up); up = Path.GetDirectoryName(up))
        {
            if (Directory.Exists(up)) break;
            if (File.Exists(up)) throw new ConfigurationException($"{setting} {output}: {up} is a file, so the folder cannot be created");
        }
        if (WhyNotWritable(real) is { } why) throw new ConfigurationException($"{setting} {output} cannot be written: {why}");
    }

    /// <summary>
    /// Why nothing could be written in <paramref name="folder"/> (null when it could): an existing parent is a file, a
    /// missing name is longer than <see cref="AtomicFile.MaxNameBytes"/> bytes, or the nearest existing folder refuses a new
    /// entry (read-only mount, permission, /proc). Asked before any work, so that a batch is not run to fail at its
    /// first temp file. The probe is a hidden file of the temp-name pattern, deleted on close; nothing else is created.
    /// </summary>
    public static string? WhyNotWritable(string folder)
    {
        string full = Path.GetFullPath(folder);
        string? existing = full;
        while (!string.IsNullOrEmpty(existing) && !Directory.Exists(existing))
        {
            if (File.Exists(existing)) return $"{existing} is a file, not a folder";
            string name = Path.GetFileName(existing);
            if (System.Text.Encoding.UTF8.GetByteCount(name) > AtomicFile.MaxNameBytes)
                return $"the name {name[..Math.Min(24, name.Length)]}... is longer than {AtomicFile.MaxNameBytes} bytes";
            existing = Path.GetDirectoryName(existing);
        }
        if (string.IsNullOrEmpty(existing)) return null;
        string probe = Path.Combine(existing, AtomicFile.TempName("unetsharp-write-probe", Environment.ProcessId, Guid.NewGuid()));
        try
        {
            using var stream = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose);
            return null;
        }
        // the exception's own text names the probe file, which the user never asked for: say what it means
        catch (UnauthorizedAccessException) { return $"{existing} refused a new entry (permission denied or read-only)"; }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return $"{existing} refused a new entry (this file system takes none)"; }
        catch (IOException e) { return $"{existing} refused a new entry ({e.Message.Replace($"'{probe}'", "").Replace(probe, "").TrimEnd(' ', ':', '.')})"; }
    }

    /// <summary>
    /// Checks a batch's planned outputs before anything is written: no two inputs may write the same file (a.png's
    /// probability map a_prob1.png and an input a_prob1.png), no output may be an input, and no output name may exceed
    /// <see cref="AtomicFile.MaxNameBytes"/> bytes. <paramref name="outputs"/> maps each input to its output paths.
    /// </summary>
    public static void RefuseCollisions(IReadOnlyList<(string Input, IReadOnlyList<string> Outputs)> outputs)
    {
        var inputs = new HashSet<string>(outputs.Select(o => RealPath(o.Input)), PathComparer);
        var writers = new Dictionary<string, string>(PathComparer);
        var folders = new Dictionary<string, string>(PathComparer);
        foreach (var (input, files) in outputs)
            foreach (string file in files)
            {
                string name = Path.GetFileName(file);
                if (System.Text.Encoding.UTF8.GetByteCount(name) > AtomicFile.MaxNameBytes)
                    throw new ConfigurationException($"{input}: output name {name[..Math.Min(40, name.Length)]}... is longer than {AtomicFile.MaxNameBytes} bytes");
                string folder = Path.GetDirectoryName(Path.GetFullPath(file)) ?? ".";
                if (!folders.TryGetValue(folder, out string? realFolder)) folders[folder] = realFolder = RealPath(folder);
                string real = Path.Combine(realFolder, name);
                if (inputs.Contains(real)) throw new ConfigurationException($"output {file} would overwrite the input {real}");
                if (writers.TryGetValue(real, out string? other))
                    throw new ConfigurationException(other == input
                        ? $"{input}: two of its outputs would both be {file}"
                        : $"inputs {other} and {input} would both write {file}; rename one or predict them into different folders");
                writers[real] = input;
            }
    }
}
