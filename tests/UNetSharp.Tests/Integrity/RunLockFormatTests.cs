using UNetSharp.Pipeline;

namespace UNetSharp.Tests.Integrity;

/// <summary>
/// Locks that neither steal nor strand (issue 20, item 2): the documented four-line format with pid, start ticks
/// (/proc/PID/stat field 22) and boot id, parsed exactly; a live holder is never taken over, a reused pid or a lock from
/// a previous boot is stale.
/// </summary>
public sealed class RunLockFormatTests : IDisposable
{
    readonly string folder = Directory.CreateTempSubdirectory("unetsharp-lockformat-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    string LockPath => Path.Combine(folder, RunLock.FileName);

    /// <summary>Field 22 of /proc/self/stat, read here independently of the library.</summary>
    static long OwnStartTicks()
    {
        string stat = File.ReadAllText("/proc/self/stat");
        return long.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[19]);
    }

    static string Boot => File.ReadAllText("/proc/sys/kernel/random/boot_id").Trim();

    [Fact]
    public void TheLockHoldsExactlyTheDocumentedFourLines()
    {
        using (RunLock.Acquire(folder))
            Assert.Equal($"unetsharp-lock 1\npid {Environment.ProcessId}\nstart {OwnStartTicks()}\nboot {Boot}\n", File.ReadAllText(LockPath));
        Assert.False(File.Exists(LockPath));
    }

    [Fact]
    public void ALiveHolderIsNeverTakenOver()
    {
        string live = $"unetsharp-lock 1\npid {Environment.ProcessId}\nstart {OwnStartTicks()}\nboot {Boot}\n";
        File.WriteAllText(LockPath, live);
        var e = Assert.Throws<ConfigurationException>(() => RunLock.Acquire(folder));
        Assert.Contains($"in use by another process (pid {Environment.ProcessId}", e.Message);
        Assert.Equal(live, File.ReadAllText(LockPath));

        // an earlier release's one-line lock of a live process is respected too
        File.WriteAllText(LockPath, $"{Environment.ProcessId} {System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime().Ticks}\n");
        Assert.Throws<ConfigurationException>(() => RunLock.Acquire(folder));
    }

    [Fact]
    public void APidNowRunningAnotherProcessIsStale()
    {
        // our own pid, but another start time: the recorded process is gone and its pid was given to us
        File.WriteAllText(LockPath, $"unetsharp-lock 1\npid {Environment.ProcessId}\nstart {OwnStartTicks() - 1}\nboot {Boot}\n");
        var warnings = new List<string>();
        using (RunLock.Acquire(folder, warnings.Add)) { }
        Assert.Contains("its pid now belongs to another process", Assert.Single(warnings));
    }

    [Fact]
    public void ALockFromAPreviousBootIsStaleEvenIfItsPidAndStartMatch()
    {
        File.WriteAllText(LockPath, $"unetsharp-lock 1\npid {Environment.ProcessId}\nstart {OwnStartTicks()}\nboot 00000000-0000-0000-0000-000000000000\n");
        var warnings = new List<string>();
        using (RunLock.Acquire(folder, warnings.Add)) { }
        Assert.Contains("before the machine (or container) restarted", Assert.Single(warnings));
    }

    [Theory]
    [InlineData("")]
    [InlineData("unetsharp-lock 1\npid 12")]
    [InlineData("unetsharp-lock 1\npid x\nstart 1\nboot b\n")]
    [InlineData("unetsharp-lock 2\npid 1\nstart 1\nboot b\n")]
    public void ALockThatDoesNotParseIsInUseWhileFreshAndStaleAfterTheGrace(string text)
    {
        File.WriteAllText(LockPath, text);
        var e = Assert.Throws<ConfigurationException>(() => RunLock.Acquire(folder));
        Assert.Contains("is being written", e.Message);
        Assert.Equal(text, File.ReadAllText(LockPath));

        File.SetLastWriteTimeUtc(LockPath, DateTime.UtcNow.AddSeconds(-RunLock.UnreadableGraceSeconds - 1));
        var warnings = new List<string>();
        using (RunLock.Acquire(folder, warnings.Add)) Assert.StartsWith("unetsharp-lock 1\n", File.ReadAllText(LockPath));
        Assert.Contains("taking over the unreadable lock", Assert.Single(warnings));
    }
}
