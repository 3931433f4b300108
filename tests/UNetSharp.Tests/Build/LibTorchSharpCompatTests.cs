using TorchSharp;
using UNetSharp.Build;

namespace UNetSharp.Tests.Build;

/// <summary>The build step that makes libLibTorchSharp.so load on GCC 12 systems (build/README.md).</summary>
public class LibTorchSharpCompatTests
{
    static string ShippedLibrary()
    {
        string nuget = Environment.GetEnvironmentVariable("NUGET_PACKAGES") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        string path = Path.Combine(nuget, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
        Skip.IfNot(File.Exists(path), $"TorchSharp's shipped native library not found at {path}");
        return path;
    }

    static string OutputLibrary() => Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");

    [SkippableFact]
    public void TheShippedLibraryNeedsGlibcxx3432OnlyForAnUnusedSymbol()
    {
        string path = ShippedLibrary();
        var needs = ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(path), path);
        var need = Assert.Single(needs, n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal("libstdc++.so.6", need.File);
        Assert.False(need.Weak);
        Assert.Equal(new[] { "_ZSt21ios_base_library_initv" }, need.Symbols);
        Assert.False(need.UsedByRelocation);
        // Symbols of other versions are used by relocations: the relocation scan does find uses.
        Assert.Contains(needs, n => n.File == "libstdc++.so.6" && n.UsedByRelocation);
        Assert.Equal(28, needs.Count); // readelf -V: 1 + 1 + 1 + 5 (libc) + 20 (libstdc++)
    }

    [SkippableFact]
    public void WeakeningFlipsOnlyThatOneFlagAndIsIdempotent()
    {
        string shipped = ShippedLibrary();
        string copy = Path.Combine(Path.GetTempPath(), $"unetsharp-elf-{Guid.NewGuid():N}.so");
        File.Copy(shipped, copy);
        try
        {
            var gcc12 = new HashSet<string> { "GLIBCXX_3.4", "GLIBCXX_3.4.30", "GLIBCXX_3.4.29" };
            foreach (var n in ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(shipped), shipped)) if (n.Version != "GLIBCXX_3.4.32") gcc12.Add(n.Version);
            string message = ElfVersionNeeds.WeakenMissing(copy, gcc12);
            Assert.Contains("GLIBCXX_3.4.32", message);

            byte[] before = File.ReadAllBytes(shipped), after = File.ReadAllBytes(copy);
            Assert.Equal(before.Length, after.Length);
            var changed = Enumerable.Range(0, before.Length).Where(i => before[i] != after[i]).ToArray();
            var need = ElfVersionNeeds.ReadNeeds(after, copy).Single(n => n.Version == "GLIBCXX_3.4.32");
            Assert.True(need.Weak);
            Assert.Equal(new[] { (int)need.FlagsOffset }, changed);
            Assert.All(ElfVersionNeeds.ReadNeeds(after, copy).Where(n => n.Version != "GLIBCXX_3.4.32"), n => Assert.False(n.Weak));

            Assert.EndsWith("nothing to do", ElfVersionNeeds.WeakenMissing(copy, gcc12));
            Assert.Equal(after, File.ReadAllBytes(copy));
        }
        finally { File.Delete(copy); }
    }

    [SkippableFact]
    public void ASystemThatHasTheVersionLeavesTheLibraryUntouched()
    {
        string shipped = ShippedLibrary();
        string copy = Path.Combine(Path.GetTempPath(), $"unetsharp-elf-{Guid.NewGuid():N}.so");
        File.Copy(shipped, copy);
        try
        {
            var all = ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(shipped), shipped).Select(n => n.Version).ToHashSet();
            Assert.EndsWith("nothing to do", ElfVersionNeeds.WeakenMissing(copy, all));
            Assert.Equal(File.ReadAllBytes(shipped), File.ReadAllBytes(copy));
        }
        finally { File.Delete(copy); }
    }

    [SkippableFact]
    public void AMissingVersionThatIsReallyUsedIsRefusedNotHidden()
    {
        string shipped = ShippedLibrary();
        string copy = Path.Combine(Path.GetTempPath(), $"unetsharp-elf-{Guid.NewGuid():N}.so");
        File.Copy(shipped, copy);
        try
        {
            var without3430 = ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(shipped), shipped).Select(n => n.Version).Where(v => v != "GLIBCXX_3.4.30").ToHashSet();
            var e = Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.WeakenMissing(copy, without3430));
            Assert.Contains("GLIBCXX_3.4.30", e.Message);
            Assert.Contains(copy, e.Message);
            Assert.Equal(File.ReadAllBytes(shipped), File.ReadAllBytes(copy));
        }
        finally { File.Delete(copy); }
    }

    [Fact]
    public void NonElfAndTruncatedInputGiveAClearError()
    {
        Assert.Contains("not an ELF file", Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadNeeds(new byte[100], "x.so")).Message);
        var header = new byte[64];
        header[0] = 0x7f; header[1] = (byte)'E'; header[2] = (byte)'L'; header[3] = (byte)'F'; header[4] = 2; header[5] = 1;
        header[0x28] = 0xff; header[0x3A] = 64; header[0x3C] = 3; header[0x3E] = 1;
        Assert.Contains("x.so", Assert.Throws<InvalidDataException>(() => ElfVersionNeeds.ReadNeeds(header, "x.so")).Message);
    }

    [SkippableFact]
    public void TheBuildOutputIsWeakenedExactlyWhenTheSystemLibStdCxxLacksTheVersion()
    {
        string? system = ElfVersionNeeds.FindSystemLibStdCxx();
        Skip.If(system is null || !OperatingSystem.IsLinux(), "no system libstdc++.so.6 (not a glibc Linux)");
        bool systemHasIt = ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(system!), system!).Contains("GLIBCXX_3.4.32");
        string output = OutputLibrary();
        var need = ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(output), output).Single(n => n.Version == "GLIBCXX_3.4.32");
        Assert.Equal(!systemHasIt, need.Weak);
    }

    [Fact]
    public void TorchSharpInitialisesAndComputes()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        var b = torch.ones(3, 2);
        Assert.Equal(new float[] { 3, 3, 12, 12 }, a.matmul(b).data<float>().ToArray());
        var w = torch.randn(4, requires_grad: true);
        (w * w).sum().backward();
        Assert.Equal(w.detach().mul(2).data<float>().ToArray(), w.grad!.data<float>().ToArray());
    }
}
