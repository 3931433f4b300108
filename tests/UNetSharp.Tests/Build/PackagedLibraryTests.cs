using System.Diagnostics;
using UNetSharp.Build;
using UNetSharp.Models;

namespace UNetSharp.Tests.Build;

/// <summary>
/// What a user gets from the package, not from this repository's build: pack the core library into a folder, create
/// a console app with `dotnet new console`, reference the package (TorchSharp from the normal NuGet source), put the
/// README's snippet (samples/QuickStart/Program.cs) in it, build, run and publish. On a GCC 12 system (Debian 12) this
/// fails at start ("GLIBCXX_3.4.32 not found") unless the package's buildTransitive targets weaken the native library.
/// </summary>
[Trait("Category", "Slow")]
public sealed class PackagedLibraryTests : IDisposable
{
    static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(10);

    readonly string dir = Directory.CreateTempSubdirectory("unetsharp-consumer-").FullName;
    // a version no other run used, so NuGet's package cache cannot hand back an older build of the package
    readonly string version = $"0.2.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}.{Environment.ProcessId}";

    public void Dispose()
    {
        Directory.Delete(dir, recursive: true);
        string cached = Path.Combine(NuGetPackagesFolder(), "unetsharp", version);
        if (Directory.Exists(cached)) Directory.Delete(cached, recursive: true);
    }

    [Fact]
    public void AConsoleAppReferencingThePackedLibraryBuildsRunsAndPublishes()
    {
        string root = RepositoryRoot();
        string feed = Path.Combine(dir, "feed"), app = Path.Combine(dir, "app");
        Run(root, "pack", Path.Combine(root, "src", "UNetSharp", "UNetSharp.csproj"), "-c", "Release", "-o", feed, $"-p:Version={version}");

        Run(dir, "new", "console", "-n", "Consumer", "-o", app);
        File.WriteAllText(Path.Combine(app, "nuget.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="packed" value="{feed}" />
                <add key="nuget.org" value="https://api.nuget.org/v3/index.json" />
              </packageSources>
            </configuration>
            """);
        File.Copy(Path.Combine(root, "samples", "QuickStart", "Program.cs"), Path.Combine(app, "Program.cs"), overwrite: true);
        Run(app, "add", "package", "UNetSharp", "--version", version);
        Run(app, "build", "-c", "Release");

        string output = Run(app, Path.Combine(app, "bin", "Release", "net10.0", "Consumer.dll"));

        // the same network built here: the packaged library must count exactly what the source does
        using var net = new SegmentationNetwork(new NetworkConfig { Architecture = "unet#", InChannels = 1, Classes = 1, Cgm = true });
        var lines = output.Split('\n', StringSplitOptions.TrimEntries);
        Assert.Contains($"parameters: {NetworkCost.TotalParameters(net)}", lines);
        foreach (var cost in NetworkCost.PerDepth(net, [64, 64]))
            Assert.Contains(lines, l => l.StartsWith($"L{cost.Depth}: {cost.Nodes} nodes, {cost.Parameters} parameters,", StringComparison.Ordinal));
        Assert.Contains("depth 1: 3 node blocks, logits [2, 1, 64, 64]", lines);
        Assert.Contains("heads: final1 final2 final3 final4 side4_0 side3_1 side2_2 side1_3", lines);
        Assert.True(new FileInfo(Path.Combine(app, "unetsharp.safetensors")).Length > 4 * NetworkCost.TotalParameters(net));

        string published = Path.Combine(dir, "published");
        Run(app, "publish", "-c", "Release", "-o", published);
        foreach (string folder in new[] { Path.Combine(app, "bin", "Release", "net10.0"), published })
        {
            string library = Path.Combine(folder, "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
            var need = ElfVersionNeeds.ReadNeeds(File.ReadAllBytes(library), library).Single(n => n.Version == "GLIBCXX_3.4.32");
            // build: weakened exactly where this system lacks the version; publish: always (the app runs elsewhere)
            Assert.True(need.Weak || (folder != published && SystemHas("GLIBCXX_3.4.32")), $"{library}: GLIBCXX_3.4.32 need not weakened");
        }
    }

    static bool SystemHas(string version)
    {
        string? system = ElfVersionNeeds.FindSystemLibStdCxx();
        return system is not null && ElfVersionNeeds.ReadDefinitions(File.ReadAllBytes(system), system).Contains(version);
    }

    /// <summary>Runs `dotnet ARGS` in a folder; returns its output, fails the test with it on a non-zero exit.</summary>
    static string Run(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = workingDirectory, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (string a in args) start.ArgumentList.Add(a);
        // the test host may run inside `dotnet test`'s MSBuild: its variables would steer the child's build
        foreach (string key in start.Environment.Keys.Where(k => k.StartsWith("MSBuild", StringComparison.OrdinalIgnoreCase)).ToList()) start.Environment.Remove(key);
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        using var process = Process.Start(start) ?? throw new InvalidOperationException("cannot start dotnet");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(StepTimeout)) { process.Kill(entireProcessTree: true); Assert.Fail($"dotnet {string.Join(' ', args)}: no result after {StepTimeout}"); }
        string text = stdout.Result + stderr.Result;
        Assert.True(process.ExitCode == 0, $"dotnet {string.Join(' ', args)} exited {process.ExitCode}:\n{text}");
        return text;
    }

    static string RepositoryRoot()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d != null; d = d.Parent)
            if (File.Exists(Path.Combine(d.FullName, "UNetSharp.slnx"))) return d.FullName;
        throw new InvalidOperationException("repository root (UNetSharp.slnx) not found above the test binaries");
    }

    static string NuGetPackagesFolder() => Environment.GetEnvironmentVariable("NUGET_PACKAGES")
        ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
}
