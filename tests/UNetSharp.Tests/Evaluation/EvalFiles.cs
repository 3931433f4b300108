using System.Diagnostics;
using UNetSharp.IO;

namespace UNetSharp.Tests.Evaluation;

/// <summary>A temporary folder removed after the test.</summary>
internal sealed class EvalTempDir : IDisposable
{
    public EvalTempDir() => Directory.CreateDirectory(Path);
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "unetsharp-eval-" + Guid.NewGuid().ToString("N"));
    public string Sub(string name) => Directory.CreateDirectory(System.IO.Path.Combine(Path, name)).FullName;
    public void Dispose() { try { Directory.Delete(Path, true); } catch (IOException) { } }
}

/// <summary>Synthetic label files for evaluation tests.</summary>
internal static class EvalFiles
{
    /// <summary>A uint8 NIfTI label volume; <paramref name="shape"/> and <paramref name="spacing"/> are C-order [z, y, x].</summary>
    public static string Nifti(string dir, string name, int[] labels, int[] shape, double[] spacing)
    {
        var h = new NiftiHeader { DataType = (short)NiftiDataType.UInt8, BitPix = 8, SclSlope = 1 };
        h.Dim[0] = 3;
        for (int i = 1; i < 8; i++) h.Dim[i] = i <= 3 ? shape[3 - i] : 1;
        h.PixDim[0] = 1;
        for (int i = 1; i < 8; i++) h.PixDim[i] = i <= 3 ? spacing[3 - i] : 1;
        h.VoxOffset = h.HeaderSize + 4;
        string path = System.IO.Path.Combine(dir, name);
        NiftiFile.Write(path, new NiftiImage(h, new byte[4], labels.Select(v => (byte)v).ToArray()));
        return path;
    }

    public static string Png(string dir, string name, int[] labels, int height, int width)
    {
        string path = System.IO.Path.Combine(dir, name);
        PngFile.WriteLabels(path, labels, height, width);
        return path;
    }

    /// <summary>A box of <paramref name="value"/> from <paramref name="lo"/> (inclusive) to <paramref name="hi"/> (exclusive) per axis.</summary>
    public static int[] Box(int[] shape, int[] lo, int[] hi, int value = 1, int[]? into = null)
    {
        var map = into ?? new int[shape.Aggregate(1, (a, b) => a * b)];
        for (int i = 0; i < map.Length; i++)
        {
            int rest = i;
            bool inside = true;
            for (int a = shape.Length - 1; a >= 0; a--)
            {
                int c = rest % shape[a];
                rest /= shape[a];
                inside &= c >= lo[a] && c < hi[a];
            }
            if (inside) map[i] = value;
        }
        return map;
    }
}

/// <summary>Runs the built CLI (the Cli assembly next to the tests) in a child process, as a user would.</summary>
internal static class CliProcess
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr);

    /// <summary>Runs it with a 200-column terminal width, so table cells are not cut short.</summary>
    public static Result Run(string workingDir, params string[] args) => Start(workingDir, "200", TimeSpan.FromMinutes(5), args);

    /// <summary>Runs it as a log file (Slurm, CI) receives it: stdout redirected and no COLUMNS set.</summary>
    public static Result RunAsLog(string workingDir, params string[] args) => Start(workingDir, null, TimeSpan.FromMinutes(3), args);

    static Result Start(string workingDir, string? columns, TimeSpan timeout, string[] args)
    {
        string cli = typeof(UNetSharp.Cli.Commands.EvaluateCommand).Assembly.Location;
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = workingDir, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(cli);
        foreach (string a in args) start.ArgumentList.Add(a);
        if (columns is null) start.Environment.Remove("COLUMNS");
        else start.Environment["COLUMNS"] = columns;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"unetsharp {string.Join(" ", args)} did not finish");
        }
        return new Result(process.ExitCode, stdout.Result, stderr.Result);
    }
}
