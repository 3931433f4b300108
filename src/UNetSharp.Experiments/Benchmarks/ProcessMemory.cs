namespace UNetSharp.Experiments.Benchmarks;

/// <summary>Resident-set figures from /proc (Linux), for peak-memory reports. Zero where /proc is unavailable.</summary>
public static class ProcessMemory
{
    /// <summary>Current resident set size in bytes.</summary>
    public static long Resident() => ReadStatus("VmRSS:");

    /// <summary>Peak resident set size in bytes since start or the last <see cref="ResetPeak"/>.</summary>
    public static long Peak() => ReadStatus("VmHWM:");

    /// <summary>Resets the kernel's peak-RSS mark (writes 5 to /proc/self/clear_refs), so a peak can be measured per step.</summary>
    public static bool ResetPeak()
    {
        try { File.WriteAllText("/proc/self/clear_refs", "5"); return true; }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return false; }
    }

    /// <summary>
    /// Returns the C heap's free pages to the system (glibc malloc_trim), so a resident-set baseline taken next does not
    /// hold memory freed by earlier work that later allocations would silently reuse. False where glibc is absent.
    /// </summary>
    public static bool TrimHeap()
    {
        try { return MallocTrim(0) != 0; }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) { return false; }
    }

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "malloc_trim")]
    static extern int MallocTrim(nuint pad);

    static long ReadStatus(string key)
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
                if (line.StartsWith(key, StringComparison.Ordinal))
                    return long.Parse(line[key.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
        catch (IOException) { }
        return 0;
    }
}
