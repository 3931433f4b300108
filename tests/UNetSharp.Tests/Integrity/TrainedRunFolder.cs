using UNetSharp.Pipeline;
using UNetSharp.Tests.Pipeline;

namespace UNetSharp.Tests.Integrity;

/// <summary>One tiny run trained once per test class (synthetic cells, depth-2 UNet# widths 4,8,16, 1 epoch of 3 steps);
/// each test works on its own copy.</summary>
public sealed class TrainedRunFolder : IDisposable
{
    readonly string root = Directory.CreateTempSubdirectory("unetsharp-integrity-").FullName;

    public TrainedRunFolder()
    {
        Data = RunTestData.Cells(Path.Combine(root, "data"), images: 5, size: 32);
        Run = Path.Combine(root, "run");
        TrainingRun.Run(RunTestData.Tiny(Data, Run, epochs: 1));
    }

    public string Data { get; }
    public string Run { get; }

    /// <summary>A fresh copy of the trained run folder at <paramref name="destination"/> (its .lock-free files only).</summary>
    public string CopyTo(string destination)
    {
        Directory.CreateDirectory(destination);
        foreach (string file in Directory.EnumerateFiles(Run, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(destination, Path.GetRelativePath(Run, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        return destination;
    }

    public void Dispose() => Directory.Delete(root, recursive: true);
}
