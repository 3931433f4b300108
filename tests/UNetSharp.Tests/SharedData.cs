namespace UNetSharp.Tests;

/// <summary>Locates ../shared/data (the real data sets); tests that need it skip with a clear message when absent.</summary>
public static class SharedData
{
    static readonly Lazy<string?> root = new(() =>
    {
        string? env = Environment.GetEnvironmentVariable("UNETSHARP_SHARED_DATA");
        if (!string.IsNullOrEmpty(env) && Directory.Exists(env)) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "shared", "data");
            if (File.Exists(Path.Combine(dir.FullName, "UNetSharp.slnx")) || Directory.Exists(Path.Combine(dir.FullName, ".git")))
            {
                string beside = Path.Combine(dir.FullName, "..", "shared", "data");
                return Directory.Exists(beside) ? Path.GetFullPath(beside) : null;
            }
            if (Directory.Exists(candidate) && File.Exists(Path.Combine(candidate, "README.md"))) return candidate;
        }
        return null;
    });

    /// <summary>The folder of a shared data set (e.g. "msd-hippocampus"); skips the calling test when it is absent.</summary>
    public static string Require(string dataSet)
    {
        string? dir = root.Value is null ? null : Path.Combine(root.Value, dataSet);
        Skip.If(dir is null || !Directory.Exists(dir), $"shared data set '{dataSet}' not found (expected ../shared/data/{dataSet} beside the repository, or UNETSHARP_SHARED_DATA)");
        return dir!;
    }
}
