using Microsoft.Extensions.Logging;
using UNetSharp.Prediction;

namespace UNetSharp.Serve;

/// <summary>Settings of the segmentation service, one per `unetsharp serve` option.</summary>
public sealed record ServeOptions
{
    /// <summary>A run folder (best.ckpt, else last.ckpt, with plan.json), a checkpoint, or a weights file with plan.json
    /// beside it; with <see cref="Engine"/> ONNX Runtime, also an exported .onnx model (its plan is in its metadata).</summary>
    public required string Model { get; init; }

    /// <summary>What runs the model, as `predict --engine`: null = TorchSharp; UNetSharp.Onnx's OnnxPredictionEngine for
    /// .onnx files (the CLI picks it for them).</summary>
    public IPredictionEngine? Engine { get; init; }

    /// <summary>TCP port; 0 picks a free one (tests), read back from <see cref="SegmentationServer.Address"/>.</summary>
    public int Port { get; init; } = 8080;

    /// <summary>Default depth when a request names none. Null: the plan's prediction depth, else the full depth.</summary>
    public int? Depth { get; init; }

    /// <summary>File holding the bearer token every API request must present. Null: no token, and the server binds
    /// to 127.0.0.1 only so that nothing off this machine can reach it.</summary>
    public string? TokenFile { get; init; }

    /// <summary>Largest request body accepted (413 above).</summary>
    public long MaxBodyBytes { get; init; } = 256L << 20;

    /// <summary>Largest image accepted, in voxels times channels, judged from the header before any pixel is decoded (413 above).</summary>
    public long MaxVoxels { get; init; } = 1L << 27;

    /// <summary>Inferences run at once; each worker holds its own copy of the network (TorchSharp modules are not
    /// safe for concurrent forward passes).</summary>
    public int Concurrency { get; init; } = 1;

    /// <summary>Requests allowed to wait for a worker; more get 503 with Retry-After.</summary>
    public int QueueLength { get; init; } = 32;

    /// <summary>Longest a request waits for a worker (then 503); an inference that has started runs to its end.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>Torch intra-op threads while serving; null leaves libtorch's default (all cores).</summary>
    public int? Threads { get; init; }

    /// <summary>Tile overlap of the sliding window, as `predict --overlap`.</summary>
    public double Overlap { get; init; } = 0.5;

    public LogLevel LogLevel { get; init; } = LogLevel.Information;

    public void Validate()
    {
        if (Port is < 0 or > 65535) throw new ConfigurationException($"port must be 0..65535, got {Port}");
        if (MaxBodyBytes < 1) throw new ConfigurationException($"maximum body size must be positive, got {MaxBodyBytes} bytes");
        if (MaxVoxels < 1) throw new ConfigurationException($"maximum voxel count must be positive, got {MaxVoxels}");
        if (Concurrency is < 1 or > 64) throw new ConfigurationException($"concurrency must be 1..64, got {Concurrency}");
        if (QueueLength < 0) throw new ConfigurationException($"queue length must be 0 or more, got {QueueLength}");
        if (Timeout <= TimeSpan.Zero) throw new ConfigurationException($"time-out (seconds) must be positive, got {Timeout.TotalSeconds}");
        if (Threads is < 0) throw new ConfigurationException($"thread count must be 0 (all cores) or more, got {Threads}");
        if (Overlap is < 0 or >= 1 || double.IsNaN(Overlap)) throw new ConfigurationException($"tile overlap must be in [0, 1), got {Overlap}");
    }
}
