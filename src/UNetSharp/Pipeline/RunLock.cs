using System.Diagnostics;
using System.Globalization;

namespace UNetSharp.Pipeline;

/// <summary>
/// One writer per run folder: FOLDER/.lock holds the owner's process id and start time, created atomically
/// (FileMode.CreateNew), so a second run into the same folder is refused instead of interleaving its files. A lock
/// whose process is gone (killed with kill -9) is taken over with a warning. Disposing removes the lock.
/// </summary>
public sealed class RunLock : IDisposable
{
    public const string FileName = ".lock";

    readonly string path;

    RunLock(string path) => this.path = path;

    /// <summary>Takes the folder's lock (the folder must exist); <paramref name="warn"/> hears of a stale lock taken over.</summary>
    public static RunLock Acquire(string folder, Action<string>? warn = null)
    {
        string path = Path.Combine(folder, FileName);
        using var self = Process.GetCurrentProcess();
        string owner = $"{Environment.ProcessId} {StartTicks(self).ToString(CultureInfo.InvariantCulture)}\n";
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
                try { text = File.ReadAllText(path); }
                catch (FileNotFoundException) { continue; } // released meanwhile
                if (IsAlive(text, out int pid))
                    throw new ConfigurationException($"{folder} is in use by another process (pid {pid}, see {path}); wait for it to finish or choose another folder");
                warn?.Invoke($"taking over the stale lock {path} of process {(pid > 0 ? pid.ToString(CultureInfo.InvariantCulture) : "?")}, which is no longer running");
                try { File.Delete(path); } catch (FileNotFoundException) { }
            }
        }
    }

    /// <summary>The lock's process still runs (same id and start time: a recycled id does not count).</summary>
    static bool IsAlive(string text, out int pid)
    {
        pid = 0;
        var parts = text.Split(' ', '\n', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 1 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out pid)) return false; // half-written or foreign: stale
        try
        {
            using var process = Process.GetProcessById(pid);
            if (process.HasExited) return false;
            return parts.Length < 2 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long ticks) || StartTicks(process) == ticks;
        }
        catch (ArgumentException) { return false; } // no such process
        catch (InvalidOperationException) { return false; }
    }

    static long StartTicks(Process process)
    {
        try { return process.StartTime.ToUniversalTime().Ticks; }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or NotSupportedException) { return 0; }
    }

    public void Dispose()
    {
        try { File.Delete(path); }
        catch (IOException) { } // the folder went away with its run: nothing left to unlock
        catch (UnauthorizedAccessException) { }
    }
}
