using System.Globalization;

namespace UNetSharp.Pipeline;

/// <summary>
/// One writer per run folder: FOLDER/.lock, created atomically (FileMode.CreateNew), so a second run into the same
/// folder is refused instead of interleaving its files. Disposing removes the lock. The file is four lines, parsed
/// exactly (README "Run folders"):
/// <code>
/// unetsharp-lock 1
/// pid 12345
/// start 9876543
/// boot 0f4e...-uuid
/// </code>
/// <c>start</c> is the owner's start time in clock ticks since boot (/proc/PID/stat field 22) and <c>boot</c> the kernel's
/// boot id (/proc/sys/kernel/random/boot_id); either is <c>-</c> where the system has no /proc. The holder is alive only
/// when the boot id is this boot's, the pid runs and (where known) its start time is the recorded one: a lock from a
/// previous boot (a container or machine restart) or whose pid now belongs to an unrelated process is stale and taken
/// over with a warning; a live holder is never taken over. A lock that does not parse is refused for
/// <see cref="UnreadableGraceSeconds"/> after it was written (its owner may be writing it this instant), then taken over.
/// The one-line "PID TICKS" locks of earlier releases are read as before: stale when that pid no longer runs.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = ".lock";
    const string Header = "unetsharp-lock 1";

    /// <summary>How long a lock that does not parse counts as being written by a live owner.</summary>
    public const double UnreadableGraceSeconds = 10;

    readonly string path;

    RunLock(string path) => this.path = path;

    /// <summary>The lock's content: header, pid, start ticks and boot id of <paramref name="pid"/> on this machine.</summary>
    public static string Format(int pid, long? startTicks, string? bootId) =>
        $"{Header}\npid {pid.ToString(CultureInfo.InvariantCulture)}\nstart {startTicks?.ToString(CultureInfo.InvariantCulture) ?? "-"}\nboot {bootId ?? "-"}\n";

    /// <summary>Takes the folder's lock (the folder must exist); <paramref name="warn"/> hears of a stale lock taken over.</summary>
    public static RunLock Acquire(string folder, Action<string>? warn = null)
    {
        string path = Path.Combine(folder, FileName);
        string owner = Format(Environment.ProcessId, StartTicks(Environment.ProcessId), BootId());
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
                using (var writer = new StreamWriter(stream)) writer.Write(owner);
                return new RunLock(path);
            }
            catch (IOException) when (File.Exists(path) && attempt < 3)
            {
                string text;
                DateTime written;
                try { text = File.ReadAllText(path); written = File.GetLastWriteTimeUtc(path); }
                catch (FileNotFoundException) { continue; } // released meanwhile
                var holder = Holder.Parse(text);
                if (holder is null)
                {
                    if ((DateTime.UtcNow - written).TotalSeconds < UnreadableGraceSeconds)
                        throw new ConfigurationException($"{folder} is in use by another process ({path} is being written); wait for it to finish or choose another folder");
                    warn?.Invoke($"taking over the unreadable lock {path}, written {written:u}");
                }
                else if (holder.IsAlive())
                    throw new ConfigurationException($"{folder} is in use by another process (pid {holder.Pid}, see {path}); wait for it to finish or choose another folder");
                else warn?.Invoke($"taking over the stale lock {path} of process {holder.Pid}, which {holder.WhyStale()}");
                try { File.Delete(path); } catch (FileNotFoundException) { }
            }
        }
    }

    /// <summary>A lock's owner as recorded: pid, start ticks and boot id (null where unknown).</summary>
    sealed record Holder(int Pid, long? Start, string? Boot, bool Legacy)
    {
        /// <summary>The exact four-line format, or an earlier release's "PID [TICKS]" line; null for anything else.</summary>
        public static Holder? Parse(string text)
        {
            var lines = text.Split('\n');
            if (lines.Length == 5 && lines[0] == Header && lines[4] == ""
                && Field(lines[1], "pid") is { } p && int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out int pid) && pid > 0
                && Field(lines[2], "start") is { } s && (s == "-" || long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                && Field(lines[3], "boot") is { } b && b.Length is > 0 and <= 64 && b.All(c => char.IsAsciiHexDigit(c) || c == '-'))
                return new Holder(pid, s == "-" ? null : long.Parse(s, CultureInfo.InvariantCulture), b == "-" ? null : b, Legacy: false);
            var parts = text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
            return parts.Length is 1 or 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int old) && old > 0
                && (parts.Length == 1 || long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _))
                ? new Holder(old, parts.Length == 2 ? long.Parse(parts[1], CultureInfo.InvariantCulture) : null, null, Legacy: true) : null;
        }

        static string? Field(string line, string name) => line.StartsWith(name + " ", StringComparison.Ordinal) ? line[(name.Length + 1)..] : null;

        public bool IsAlive() => WhyStale() is null;

        /// <summary>Why the holder is gone, or null while it runs.</summary>
        public string? WhyStale()
        {
            if (Boot is not null && BootId() is { } boot && boot != Boot) return "held it before the machine (or container) restarted";
            if (!Runs(Pid)) return "is no longer running";
            long? now = Legacy ? DotNetStartTicks(Pid) : StartTicks(Pid); // earlier releases recorded .NET's start time
            if (Start is long start && now is long current && current != start) return "is no longer running (its pid now belongs to another process)";
            return null;
        }
    }

    /// <summary>A process with this id exists (on Linux: /proc/PID; elsewhere: the process table).</summary>
    static bool Runs(int pid)
    {
        if (Directory.Exists("/proc/self")) return Directory.Exists($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}");
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    static long? DotNetStartTicks(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime().Ticks;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException) { return null; }
    }

    /// <summary>The process's start time in clock ticks since boot, field 22 of /proc/PID/stat; null where unavailable.</summary>
    public static long? StartTicks(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/stat");
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so count fields after its last ')'
            int close = stat.LastIndexOf(')');
            if (close < 0) return null;
            var fields = stat[(close + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks) ? ticks : null; // fields[0] is field 3
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    /// <summary>This boot's id (/proc/sys/kernel/random/boot_id); null where unavailable.</summary>
    public static string? BootId()
    {
        try
        {
            string id = File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();
            return id.Length is > 0 and <= 64 && id.All(c => char.IsAsciiHexDigit(c) || c == '-') ? id : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }

    public void Dispose()
    {
        try { File.Delete(path); }
        catch (IOException) { } // the folder went away with its run: nothing left to unlock
        catch (UnauthorizedAccessException) { }
    }
}
