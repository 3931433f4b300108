using System.Text;
using UNetSharp.IO;

namespace UNetSharp.Tests.IO;

/// <summary>Temporary files: their names stay within 255 bytes, and those of killed processes are cleaned up (issue 15, defect 13).</summary>
public sealed class AtomicFileTests : IDisposable
{
    readonly TempDir dir = new();

    public void Dispose() => dir.Dispose();

    /// <summary>A pid no process can have (Linux's pid_max is at most 2^22).</summary>
    const int DeadPid = 999_999_999;

    [Fact]
    public void TempNamesOfVeryLongUnicodeNamesStayWithin255Bytes()
    {
        string name = new string('ü', 120) + ".nii.gz";   // 247 bytes: a valid name whose temp would not be
        Assert.Equal(247, Encoding.UTF8.GetByteCount(name));
        string temp = AtomicFile.TempName(name, 12345, Guid.NewGuid());
        Assert.InRange(Encoding.UTF8.GetByteCount(temp), 200, AtomicFile.MaxNameBytes);
        Assert.StartsWith(".üü", temp);
        AtomicFile.WriteAllText(dir.File(name), "written");
        Assert.Equal("written", File.ReadAllText(dir.File(name)));
        Assert.Single(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void StaleTempsOfDeadProcessesAreRemovedOthersAreKept()
    {
        string stale = dir.File(AtomicFile.TempName("a.nii.gz", DeadPid, Guid.NewGuid()));
        string live = dir.File(AtomicFile.TempName("b.nii.gz", Environment.ProcessId, Guid.NewGuid()));
        string lookalike = dir.File($".c.nii.gz.{DeadPid}.not-a-guid.tmp");
        string user = dir.File("notes.tmp");
        foreach (var f in new[] { stale, live, lookalike, user }) File.WriteAllText(f, "x");

        Assert.Equal(1, AtomicFile.RemoveStaleTemps(dir.Path));
        Assert.False(File.Exists(stale));
        Assert.True(File.Exists(live) && File.Exists(lookalike) && File.Exists(user));
    }

    [Fact]
    public void AFailedVerificationLeavesNeitherTheFileNorATemp()
    {
        File.WriteAllText(dir.File("model.onnx"), "old");
        Assert.Throws<InvalidDataException>(() => AtomicFile.Write(dir.File("model.onnx"), s => s.WriteByte(1), _ => throw new InvalidDataException("bad")));
        Assert.Equal("old", File.ReadAllText(dir.File("model.onnx")));
        Assert.Single(Directory.GetFiles(dir.Path));
    }
}
