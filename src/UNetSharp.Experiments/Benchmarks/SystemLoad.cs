using System.Globalization;

namespace UNetSharp.Experiments.Benchmarks;

/// <summary>The machine's load, which every benchmark report states beside its timings (a shared machine's seconds mean little without it).</summary>
public static class SystemLoad
{
    /// <summary>The 1-minute load average (Linux /proc/loadavg); null where it cannot be read.</summary>
    public static double? OneMinute()
    {
        try
        {
            return File.Exists("/proc/loadavg") && double.TryParse(File.ReadAllText("/proc/loadavg").Split(' ')[0], NumberStyles.Float, CultureInfo.InvariantCulture, out double v) ? v : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { return null; }
    }
}
