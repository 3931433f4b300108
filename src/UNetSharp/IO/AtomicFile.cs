using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;

namespace UNetSharp.IO;

/// <summary>
/// Writes files so that a reader (or a crash) never sees half of one: temp file in the same folder, then rename. The
/// temp is <c>.&lt;name&gt;.&lt;pid&gt;.&lt;32 hex&gt;.tmp</c> (name shortened so the whole stays within 255 bytes);
/// one killed with -9 is removed by the next process that writes into that folder, once its pid is gone.
/// </summary>
public static partial class AtomicFile
{
    /// <summary>Longest file name (in UTF-8 bytes) that Linux, macOS and Windows file systems accept.</summary>
    public const int MaxNameBytes = 255;

    static readonly ConcurrentDictionary<string, bool> cleanedFolders = new(StringComparer.Ordinal);

    /// <summary>Calls <paramref name="write"/> on a stream to a temporary sibling of <paramref name="path"/>, then renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<Stream> write) => Write(path, write, verify: null);

    /// <summary>As <see cref="Write(string, Action{Stream})"/>, but <paramref name="verify"/> gets the finished temporary file
    /// first; if it throws, the temp is removed and <paramref name="path"/> is never touched.</summary>
    public static void Write(string path, Action<Stream> write, Action<string>? verify)
    {
        string full = Path.GetFullPath(path);
        string? dir = Path.GetDirectoryName(full);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        dir ??= ".";
        if (cleanedFolders.TryAdd(dir, true)) RemoveStaleTemps(dir);
        string temp = Path.Combine(dir, TempName(Path.GetFileName(full), Environment.ProcessId, Guid.NewGuid()));
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            verify?.Invoke(temp);
            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            throw;
        }
    }

    /// <summary>The temporary name for <paramref name="name"/>: the name is cut (at a character boundary) so the
    /// temporary name stays within <see cref="MaxNameBytes"/> bytes even when the final name is near that limit.</summary>
    public static string TempName(string name, int pid, Guid id)
    {
        string tail = $".{pid}.{id:N}.tmp";
        int budget = MaxNameBytes - 1 - Encoding.UTF8.GetByteCount(tail);
        var kept = new StringBuilder();
        int bytes = 0;
        foreach (var rune in name.EnumerateRunes())
        {
            bytes += rune.Utf8SequenceLength;
            if (bytes > budget) break;
            kept.Append(rune.ToString());
        }
        return "." + kept + tail;
    }

    [GeneratedRegex(@"^\..*\.(\d{1,10})\.[0-9a-f]{32}\.tmp$", RegexOptions.Singleline)]
    private static partial Regex TempPattern();

    /// <summary>Removes temporary files of ours (exact name pattern) whose writing process no longer runs; returns how many.
    /// Anything else, and the temps of live processes, are left alone.</summary>
    public static int RemoveStaleTemps(string folder)
    {
        int removed = 0;
        try
        {
            foreach (string file in Directory.EnumerateFiles(folder, ".*.tmp"))
            {
                var match = TempPattern().Match(Path.GetFileName(file));
                if (!match.Success || !int.TryParse(match.Groups[1].Value, out int pid) || IsAlive(pid)) continue;
                try { File.Delete(file); removed++; }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
        }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
        return removed;
    }

    static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        if (OperatingSystem.IsLinux()) return Directory.Exists($"/proc/{pid}");
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException) { return false; }
        catch (InvalidOperationException) { return false; }
    }

    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        byte[] copy = bytes.ToArray();
        Write(path, s => s.Write(copy));
    }

    public static void WriteAllText(string path, string text) => Write(path, s =>
    {
        using var writer = new StreamWriter(s, new System.Text.UTF8Encoding(false), leaveOpen: true);
        writer.Write(text);
    });
}
