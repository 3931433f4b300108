using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;
using UNetSharp.Prediction;
using UNetSharp.Models;
using UNetSharp.Serve;
using UNetSharp.Tests.Inference.Jobs;

namespace UNetSharp.Tests.Serve;

/// <summary>A tiny 2D UNet# run folder (widths 4,8,16, depth 2, random weights) shared by the service tests, and helpers
/// to start a real Kestrel server on a free loopback port.</summary>
public sealed class ServeRunFolder : IDisposable
{
    public ServeRunFolder()
    {
        Root = Directory.CreateTempSubdirectory("unetsharp-serve-tests-").FullName;
        var config = new NetworkConfig { Architecture = "unet#", Dimensions = 2, Depth = 2, Widths = [4, 8, 16], Classes = 1, InChannels = 1, DeepSupervision = true };
        Run = PredictionTestFiles.RunFolder(Path.Combine(Root, "run"), config, [16, 16]);
    }

    public string Root { get; }
    public string Run { get; }

    public string NewDir(string name) => Directory.CreateDirectory(Path.Combine(Root, name + "-" + Guid.NewGuid().ToString("N")[..8])).FullName;

    public void Dispose() => Directory.Delete(Root, recursive: true);

    public Task<SegmentationServer> StartAsync(Func<ServeOptions, ServeOptions>? change = null)
    {
        var options = new ServeOptions { Model = Run, Port = 0, LogLevel = LogLevel.Warning };
        return SegmentationServer.StartAsync(change?.Invoke(options) ?? options);
    }

    /// <summary>What `unetsharp predict` writes for <paramref name="input"/> at this depth: the library's own answer.</summary>
    public byte[] Predicted(string input, int depth, bool tta = false)
    {
        string outDir = NewDir("predict");
        var report = PredictionJob.Run(new PredictionJobOptions { Model = Run, Input = input, OutputDir = outDir, Depth = depth, Tta = tta });
        Assert.Equal(1, report.Succeeded);
        return File.ReadAllBytes(report.Files[0].Outputs[0]);
    }

    public static HttpClient Client(SegmentationServer server) => new() { BaseAddress = new Uri(server.Address), Timeout = TimeSpan.FromMinutes(2) };

    public static ByteArrayContent Body(byte[] bytes, string? contentType)
    {
        var content = new ByteArrayContent(bytes);
        if (contentType is not null) content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        return content;
    }
}
